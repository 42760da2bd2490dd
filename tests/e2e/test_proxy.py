"""The shipped nginx example (deploy/nginx/softmax-lab.conf) in front of the app, on 127.0.0.1.

Debian's nginx runs the shipped snippet unchanged but for the app's port, inside a server
whose only name is 127.0.0.1 and a default server that closes any other Host (as the
shipped site does). Checked: the security headers, the Host allow-list, the metrics route
closed, and that the app still renders in Chromium under the Content-Security-Policy.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import time
import urllib.request

import pytest

from tests.e2e.conftest import ROOT, assert_no_exception, free_port, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

SNIPPET = ROOT / "deploy" / "nginx" / "softmax-lab.conf"


def nginx_path() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if shutil.which("/usr/sbin/nginx") else "")
    if not path:
        pytest.fail(
            "Debian's nginx is not installed: `make test` installs it (apt-get install nginx-light)"
        )
    return path


@pytest.fixture(scope="module")
def proxy(server, tmp_path_factory):
    app_port = server.rsplit(":", 1)[1]
    folder = tmp_path_factory.mktemp("nginx")
    snippet = SNIPPET.read_text()
    assert "proxy_pass http://127.0.0.1:8501;" in snippet
    (folder / "softmax-lab.conf").write_text(
        snippet.replace("http://127.0.0.1:8501;", f"http://127.0.0.1:{app_port};")
    )
    port = free_port()
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir()
    (folder / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{port} default_server;
        return 444;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        include {folder}/softmax-lab.conf;
    }}
}}
"""
    )
    proc = subprocess.Popen(
        [nginx_path(), "-c", str(folder / "nginx.conf"), "-p", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError("nginx exited: " + proc.stdout.read().decode(errors="replace"))
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _get(url: str, path: str, host: str | None = None) -> http.client.HTTPResponse:
    hostport = url.split("://", 1)[1]
    connection = http.client.HTTPConnection(hostport, timeout=10)
    headers = {"Host": host} if host else {}
    connection.request("GET", path, headers=headers)
    return connection.getresponse()


def test_the_proxy_adds_the_security_headers(proxy, server):
    direct = _get(server, "/")
    assert direct.status == 200
    # The app alone sends none of them: they are the proxy's to add.
    assert direct.getheader("Content-Security-Policy") is None
    response = _get(proxy, "/")
    assert response.status == 200
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    policy = response.getheader("Content-Security-Policy")
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy
    assert "'unsafe-eval'" not in policy  # WebAssembly only ('wasm-unsafe-eval'), no JS eval


def test_the_proxy_closes_metrics_and_other_hosts(proxy, server):
    assert _get(server, "/_stcore/metrics").status == 200  # open on the app itself
    assert _get(proxy, "/_stcore/metrics").status == 404
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _get(proxy, "/", host="evil.example")


def _go_to(page, name: str) -> None:
    page.locator("[data-testid=stSidebarNav] a", has_text=name).first.click()
    wait_for_app_run(page)
    page.wait_for_selector(f"h1:has-text('{name}')", timeout=30_000)


def test_the_app_renders_under_the_proxy_csp(browser, proxy):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    try:
        page.goto(proxy + "/")
        wait_for_app_run(page)
        page.wait_for_selector("h1:has-text('Data')")  # a fresh session: the iris sample
        assert_no_exception(page)
        _go_to(page, "Train")
        page.get_by_role("button", name="Train").first.click()
        page.wait_for_selector("text=Model trained in", timeout=120_000)
        wait_for_app_run(page)
        _go_to(page, "Evaluate")
        page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
        assert_no_exception(page)
        screenshot(page, "proxy-csp-evaluate")
        violations = page.evaluate("window.__csp")
        assert violations == [], violations
        assert not [line for line in console if "Content Security Policy" in line], console
    finally:
        context.close()
