"""Stand-in for ansible-test's downloaded get-pip script: installs pip from the wheel beside this file.

ansible-test runs this file, copied to get_pip_<X>_<Y>.py in its cache, as ``__main__`` with pip install
arguments; scripts/_setup.sh fetches pip X.Y's wheel from the package registry beside it, because the
usual bootstrap download is not reachable here.
"""
import glob
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
version = os.path.basename(__file__)[len("get_pip_"):-len(".py")].replace("_", ".")
wheel = sorted(glob.glob(os.path.join(here, "pip-%s-py3-none-any.whl" % version)))[0]
sys.path.insert(0, wheel)

from pip._internal.cli.main import main  # noqa: E402  (importable only once the wheel is on sys.path)

# get-pip's own switches: without them it would also install setuptools and wheel, which plain
# "pip install" never does, so they are simply dropped.
arguments = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--find-links", here] + arguments))
