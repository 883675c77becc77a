"""The wheel carries libMIFAKit.so (built by `make lib`, copied into mifakit/), so it is tagged for
this platform (py3-none-<platform>) rather than pure Python; the Python code itself is pure."""

import sysconfig

from setuptools import setup
from setuptools.dist import Distribution

from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 77 (the Makefile installs it)


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        return "py3", "none", sysconfig.get_platform().replace("-", "_").replace(".", "_")


setup(distclass=BinaryDistribution, cmdclass={"bdist_wheel": PlatformWheel})
