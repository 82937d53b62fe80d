"""nginx (Debian's) as a load balancer in front of tracking servers on 127.0.0.1, for the scale tests and
benchmarks/replicas.py: a config in a scratch folder, the process, and a wait until it answers."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import httpx
from waiting import wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(folder: Path, listen: int, upstreams: list[int]) -> Path:
    """Write an nginx.conf under `folder` balancing 127.0.0.1:`listen` over the `upstreams` ports."""
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=1s;" for port in upstreams)
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(textwrap.dedent(f"""
        user root;
        worker_processes 1;
        daemon off;
        pid {folder}/nginx.pid;
        error_log {folder}/error.log warn;
        events {{ worker_connections 512; }}
        http {{
            access_log off;
            client_body_temp_path {temp}/body;
            proxy_temp_path {temp}/proxy;
            fastcgi_temp_path {temp}/fastcgi;
            uwsgi_temp_path {temp}/uwsgi;
            scgi_temp_path {temp}/scgi;
            client_max_body_size 64m;
            upstream tracekit {{
        {servers}
                keepalive 16;
            }}
            server {{
                listen 127.0.0.1:{listen};
                location / {{
                    proxy_pass http://tracekit;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_connect_timeout 1s;
                    # Trace uploads are idempotent upserts keyed by trace id, so a POST cut off by a dying server
                    # may be sent again to the other one.
                    proxy_next_upstream error timeout http_502 http_503 non_idempotent;
                }}
            }}
        }}
    """))
    return config


class Balancer:
    """nginx listening on `port`, spreading requests over tracking servers on `upstreams`."""

    def __init__(self, folder: Path, port: int, upstreams: list[int]) -> None:
        self.folder = folder
        self.url = f"http://127.0.0.1:{port}"
        self.config = nginx_config(folder, port, upstreams)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 15.0) -> Balancer:
        self.process = subprocess.Popen([NGINX, "-c", str(self.config), "-p", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

        def answering() -> bool:
            try:
                return httpx.get(f"{self.url}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        if not wait_until(answering, timeout, interval=0.1):
            self.stop()
            raise RuntimeError(f"nginx did not answer: {(self.folder / 'error.log').read_text(errors='replace')}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
