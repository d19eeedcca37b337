"""The attack-test groups: every tests/attack/cases_<group>.py with a
TESTS list of (catalog id, function of a Bench). One boot per group."""

import glob
import importlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def groups():
    """{group name: TESTS}, in file-name order."""
    found = {}
    for path in sorted(glob.glob(os.path.join(HERE, 'cases_*.py'))):
        name = os.path.basename(path)[len('cases_'):-len('.py')]
        found[name] = importlib.import_module('cases_' + name).TESTS
    return found
