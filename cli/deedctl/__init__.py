"""deedctl: the registry clerks' command line, a thin gRPC client over mTLS."""
