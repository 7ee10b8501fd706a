"""The kernel's ipc sockets, bound by the launcher before it confines itself.

The server connects to these paths. Were the kernel able to write the directory
that holds them, notebook code could swap a path for a link to some other socket
on the host and have the server connect there. Binding them here, while the
runtime directory is still writable, lets confinement then make that directory
read-only (Landlock's rule, or bwrap's remount); ZeroMQ takes the bound
descriptors (ZMQ_USE_FD) instead of binding paths itself.
"""

import json
import os
import socket

CHANNELS = ("shell", "iopub", "stdin", "control", "hb")


def prebind(connection_file):
    """Listening sockets for an ipc connection file, by port number ({} for tcp)."""
    with open(connection_file, encoding="utf-8") as f:
        info = json.load(f)
    if info.get("transport") != "ipc":
        return {}
    bound = {}
    try:
        for name in CHANNELS:
            port = int(info[f"{name}_port"])
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.bind(f"{info['ip']}-{port}")
                sock.listen(64)
                # ZeroMQ polls before it accepts; a blocking listener could stall its I/O thread.
                sock.setblocking(False)
            except BaseException:
                sock.close()
                raise
            bound[port] = sock.detach()
    except BaseException:
        for fd in bound.values():
            os.close(fd)
        raise
    return bound


def use_prebound(zmq_socket, bound, port):
    """Before a bind: hands ZeroMQ the descriptor bound for `port`, if there is one."""
    fd = bound.pop(port, None)
    if fd is not None:
        import zmq

        zmq_socket.setsockopt(zmq.USE_FD, fd)
