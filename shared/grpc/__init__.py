"""gRPC runtime shared by every service: server builder, channels, interceptors, status mapping."""
