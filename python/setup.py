"""The wheel carries libMIFAKit.so (built by `make lib`, copied into mifakit/), so it is tagged for
this platform (py3-none-<platform>) rather than pure Python; the Python code itself is pure."""

import sysconfig

from setuptools import setup
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70
    from wheel.bdist_wheel import bdist_wheel


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        return "py3", "none", sysconfig.get_platform().replace("-", "_").replace(".", "_")


setup(distclass=BinaryDistribution, cmdclass={"bdist_wheel": PlatformWheel})
