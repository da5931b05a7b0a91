"""mTLS credentials for servers (client certificate required) and for channels."""

from __future__ import annotations

import grpc

from shared.pki import CertPair, Pki


def server_credentials(pki: Pki, service: str) -> grpc.ServerCredentials:
    """Server side of mTLS: our certificate, and every client must present one from our CA."""
    pair = pki.service(service)
    return grpc.ssl_server_credentials(
        [(pair.key_pem, pair.cert_pem)], root_certificates=pki.ca_pem, require_client_auth=True
    )


def channel_credentials(ca_pem: bytes, identity: CertPair) -> grpc.ChannelCredentials:
    """Client side of mTLS: trust our CA, present the caller's certificate."""
    return grpc.ssl_channel_credentials(
        root_certificates=ca_pem, private_key=identity.key_pem, certificate_chain=identity.cert_pem
    )
