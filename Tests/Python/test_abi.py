"""The C library: links the Swift runtime statically (ldd shows no toolchain path), its header
compiles and a C program uses it, and the three versions agree."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import mifakit
from mifakit import _lib

ROOT = Path(__file__).resolve().parents[2]


def test_library_needs_no_swift_toolchain():
    output = subprocess.run(["ldd", str(_lib.library_path())], capture_output=True, text=True, check=True).stdout
    assert "not found" not in output, output
    assert "swift" not in output.lower(), output  # neither /opt/swift nor libswiftCore.so and friends
    assert "libFoundation" not in output, output


def test_versions_agree(mifa_bin):
    cli = subprocess.run([mifa_bin, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert mifakit.__version__ == _lib.version() == cli


C_PROGRAM = r"""
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "mifakit.h"

int main(int argc, char **argv) {
    mifa_package *package = NULL;
    if (mifa_package_open("/nonexistent/path", &package) != MIFA_NOT_FOUND || package != NULL) return 10;
    if (strcmp(mifa_last_error_field(MIFA_ERROR_CODE), "not-found") != 0) return 11;
    if (mifa_package_close((mifa_package *)&package) != MIFA_INVALID_ARGUMENT) return 12;  /* not a handle */
    if (mifa_package_open(argv[1], &package) != MIFA_OK) return 13;
    char *info = NULL;
    if (mifa_package_info(package, &info) != MIFA_OK || strstr(info, "\"images\"") == NULL) return 14;
    mifa_string_free(info);
    mifa_loader *loader = NULL;
    if (mifa_loader_create("{\"inputs\": [{\"path\": 3}], \"batch_size\": 2}", &loader) != MIFA_INVALID_ARGUMENT) return 15;
    if (strcmp(mifa_last_error_field(MIFA_ERROR_POINTER), "/inputs/0/path") != 0) return 16;
    char config[4096];
    snprintf(config, sizeof config, "{\"inputs\": [{\"path\": \"%s\"}], \"patch\": [8, 8], \"batch_size\": 2, \"samples_per_epoch\": 5}", argv[1]);
    if (mifa_loader_create(config, &loader) != MIFA_OK) return 17;
    int batches = 0;
    mifa_batch *batch = NULL;
    mifa_batch_view view;
    memset(&view, 0xAB, sizeof view);
    /* the offsets BatchViewLayout.swift writes at */
    if (sizeof(mifa_tensor) != 80 || offsetof(mifa_tensor, ndim) != 72 || offsetof(mifa_tensor, dtype) != 76) return 23;
    if (offsetof(mifa_batch_view, mask) != 80 || offsetof(mifa_batch_view, epoch) != 160 || sizeof(mifa_batch_view) != 176) return 24;
    while (mifa_loader_next(loader, &batch, &view) == MIFA_OK && batch != NULL) {
        /* 5 samples of two uint16 channels, 8 x 8, batches of 2 (the last holds 1), no label */
        int64_t size = batches < 2 ? 2 : 1;
        if (view.image.data == NULL || view.image.ndim != 4 || view.image.dtype != MIFA_UINT16) return 18;
        if (view.image.shape[0] != size || view.image.shape[1] != 2 || view.image.shape[2] != 8 || view.image.shape[3] != 8) return 19;
        if (view.mask.data != NULL || view.mask.ndim != 0 || view.mask.dtype != 0 || view.epoch != 0 || view.index != batches) return 25;
        mifa_batch_release(batch);
        if (mifa_batch_release(batch) != MIFA_INVALID_ARGUMENT) return 20;  /* released twice */
        batches++;
    }
    if (view.image.data != NULL || view.image.ndim != 0) return 26;  /* cleared at the end of the epoch */
    if (mifa_loader_begin(loader) != MIFA_OK || mifa_loader_next(loader, &batch, NULL) != MIFA_OK || batch == NULL) return 27;  /* again, without a view */
    mifa_batch_release(batch);
    if (batches != 3) return 21;
    mifa_loader_destroy(loader);
    mifa_package_close(package);
    int64_t p, l, b;
    mifa_live_handles(&p, &l, &b);
    printf("%s %d %lld %lld %lld\n", mifa_version(), batches, (long long)p, (long long)l, (long long)b);
    return (p == 0 && l == 0 && b == 0) ? 0 : 22;
}
"""


def test_header_compiles_and_a_c_program_uses_the_library(tmp_path, typed_images):
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler")
    source = tmp_path / "use.c"
    source.write_text(C_PROGRAM)
    library = _lib.library_path()
    subprocess.run([compiler, "-std=c11", "-Wall", "-Werror", "-I", str(ROOT / "include"), str(source), "-o", str(tmp_path / "use"),
                    str(library), f"-Wl,-rpath,{library.parent}"], check=True)
    folder = typed_images("uint16", "uint16")
    run = subprocess.run([str(tmp_path / "use"), str(folder / "im0.zarr")], capture_output=True, text=True,
                         env=dict(os.environ, RANK="0", WORLD_SIZE="1"))
    assert run.returncode == 0, (run.returncode, run.stdout, run.stderr)
    assert run.stdout.split()[:2] == [mifakit.__version__, "3"]
