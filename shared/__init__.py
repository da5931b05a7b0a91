"""Common runtime code that every deedflow service and tool imports."""

import os

# Our processes fork only to exec (pg_ctl, the services `deedflow up` starts). gRPC's fork
# handlers serve a child that goes on using gRPC, and can crash one forked while gRPC works in
# the parent (grpc/grpc#13873, #29044); set before gRPC is first imported, which goes through here.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")
