"""The hostile server of test_hostile_http.py, spoken to as an S3 endpoint (`s3://<mode>/all/img.zarr`
is `GET <endpoint>/<mode>/all/img.zarr/...`, path-style): the S3 store shares the HTTP store's
transport, so every misbehaviour must end the same way (exit 1, a clear message, bounded time and
memory), and S3's own way of asking to slow down (503 SlowDown, 400 RequestTimeout) is retried."""
import numpy as np
import pytest

from test_hostile_http import CASES, IDS, MAX_RSS_BYTES, PACKAGE_COMMANDS, PIXELS, Server, package_root_fails, run_measured


@pytest.fixture(scope="module")
def endpoint():
    import threading

    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_REGION": "us-east-1"}.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        yield url
    httpd.stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


@pytest.mark.parametrize("mode", ["slowdown", "reqtimeout", "samehost"])
def test_a_well_behaved_or_throttling_server_is_read(endpoint, mifa_bin, mode, tmp_path):
    out = tmp_path / "out.npy"
    code, output, _ = run_measured(mifa_bin, "omezarr", "export", f"s3://{mode}/all/img.zarr", out)
    assert code == 0, output
    assert np.array_equal(np.load(out), PIXELS)


@pytest.mark.parametrize("mode,words", CASES, ids=IDS)
def test_hostile_chunks_fail_cleanly_over_s3(endpoint, mifa_bin, mode, words, tmp_path):
    out = tmp_path / "out.npy"
    code, output, peak = run_measured(mifa_bin, "omezarr", "export", f"s3://{mode}/chunks/img.zarr", out,
                                      "--http-max-body", "16M")
    assert code == 1, output
    assert any(word in output for word in words), output
    assert "Fatal error" not in output, output
    assert peak < MAX_RSS_BYTES, f"peak RSS {peak} bytes"
    assert not out.exists()


@pytest.mark.parametrize("command", PACKAGE_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("mode,status", [("error500", "HTTP 500"), ("forbidden", "HTTP 403 AccessDenied")])
def test_a_package_root_that_cannot_be_read_over_s3_is_an_error_not_no_package(endpoint, mifa_bin, mode, status, command):
    package_root_fails(mifa_bin, f"s3://{mode}/all/pkg", command, status)
