"""
Starts a real `tenantgate serve` from the repository root, as test/support/processes.ts does:
PORT=0 on 127.0.0.1, a temp DATA_DIR, the port read from the "tenantgate listening" log line,
then /readyz polled until it answers 200.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
CLI = REPO_ROOT / "bin" / "tenantgate.js"

# tenantgate's configuration variables (src/config.ts): none may leak in from the developer's
# shell; the test sets what it needs.
CONFIG_VARIABLES = {
    "PORT", "HOST", "DATA_DIR", "SCHEMA_PATH", "LOG_LEVEL", "SPICEDB_ENDPOINT",
    "SPICEDB_PRESHARED_KEY", "SPICEDB_INSECURE", "SPICEDB_CA_FILE", "SPICEDB_TIMEOUT_MS",
    "SHUTDOWN_GRACE_MS", "DATABASE_URL", "SIGNUP", "COOKIE_SECURE", "TRUSTED_ORIGINS",
    "TRUST_PROXY", "SESSION_IDLE_TIMEOUT_SECONDS", "SESSION_ABSOLUTE_TIMEOUT_SECONDS",
    "INVITATION_TTL_SECONDS", "RATE_LIMIT_AUTH_PER_IP", "RATE_LIMIT_AUTH_PER_EMAIL",
    "RATE_LIMIT_WINDOW_SECONDS", "DECISION_CACHE_SIZE", "DECISION_CACHE_TTL_MS",
}

# Deadlines for a slow, shared machine; nothing is asserted about how long anything takes.
START_DEADLINE_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0


@dataclass
class TenantgateServer:
    process: subprocess.Popen[bytes]
    url: str
    root: Path

    @property
    def log(self) -> str:
        return (self.root / "tenantgate.log").read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period; idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def close(self) -> None:
        """Stops the process and removes its data dir and log."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def start_tenantgate(**env: str) -> TenantgateServer:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH; tenantgate needs Node.js 20 or newer")
    root = Path(tempfile.mkdtemp(prefix="tenantgate-django-"))
    data_dir = root / "data"
    data_dir.mkdir()
    child_env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    child_env.update(
        PORT="0",
        HOST="127.0.0.1",
        DATA_DIR=str(data_dir),
        LOG_LEVEL="info",
        # The tests sign many people in from one address within a minute.
        RATE_LIMIT_AUTH_PER_IP="10000",
        RATE_LIMIT_AUTH_PER_EMAIL="10000",
        **env,
    )
    log_path = root / "tenantgate.log"
    # The log goes to a file, not a pipe: nobody has to keep draining it while tests run.
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, str(CLI), "serve"],
            cwd=REPO_ROOT,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = TenantgateServer(process, url="", root=root)
    try:
        server.url = f"http://127.0.0.1:{_wait_for_port(server, log_path)}"
        _wait_until_ready(server)
    except BaseException:
        server.close()
        raise
    return server


def _wait_for_port(server: TenantgateServer, log_path: Path) -> int:
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if "tenantgate listening" in line:
                return int(json.loads(line)["port"])
        if server.process.poll() is not None:
            raise RuntimeError(f"tenantgate exited ({server.process.returncode}):\n{server.log}")
        time.sleep(0.1)
    raise RuntimeError(f"tenantgate did not start listening in time:\n{server.log}")


def _wait_until_ready(server: TenantgateServer) -> None:
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{server.url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
                last = str(response.status)
        except (urllib.error.URLError, OSError) as error:
            last = str(error)
        time.sleep(0.1)
    raise RuntimeError(f"{server.url}/readyz not ready in time: {last}\n{server.log}")
