"""Register documents on paper: the certificate and proof as PDF, with their QR payload."""
