"""Command-line tools: `deedflow` runs the stack, `deedctl` is the clerks' gRPC client."""
