"""Stand-in for ansible-test's downloaded get-pip script: installs pip from the wheel beside this file.

ansible-test runs this file as ``__main__`` with pip install arguments; the wheel is fetched from the
package registry by scripts/_setup.sh, because the usual bootstrap download is not reachable here.
"""
import glob
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
wheel = sorted(glob.glob(os.path.join(here, "pip-24.2-py3-none-any.whl")))[0]
sys.path.insert(0, wheel)

from pip._internal.cli.main import main  # noqa: E402  (importable only once the wheel is on sys.path)

# get-pip's own switches: without them it would also install setuptools and wheel, which plain
# "pip install" never does, so they are simply dropped.
arguments = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--find-links", here] + arguments))
