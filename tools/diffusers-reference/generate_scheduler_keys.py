"""Writes, for every scheduler class of diffusers, the configuration keys its ``from_config`` reads.

They are the keys ``ConfigMixin.extract_init_dict`` passes to ``__init__``: the parameters of the
class's ``__init__`` less ``ignore_for_config``, each with its default (``null`` for none). ddpm4j's DiffusersScheduler ignores every other key
of a scheduler_config.json (as diffusers does), so this table decides what a published
configuration may carry.

    PYTHONPATH=tools/diffusers-reference:/work/diffusers-src/src /usr/bin/python3 \
        tools/diffusers-reference/generate_scheduler_keys.py \
        ddpm-core/src/main/resources/org/ddpm4j/core/config/diffusers-scheduler-keys.json
"""
import inspect
import json
import sys

import diffusers_offline  # noqa: F401  (must come before diffusers)
import scipy_quad_stub  # noqa: F401
import diffusers
from diffusers.configuration_utils import ConfigMixin
from diffusers.utils import DummyObject

from generate_schedule_tables import source_commit


def default(value):
    if value is inspect.Parameter.empty or value is None:
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return list(value)
    return repr(value)


def main(out_file):
    classes = {}
    for name in sorted(dir(diffusers)):
        if not name.endswith("Scheduler") or name.startswith("Flax"):
            continue
        cls = getattr(diffusers, name)
        if isinstance(cls, DummyObject) or not isinstance(cls, type) or not issubclass(cls, ConfigMixin):
            continue
        keys = cls._get_init_keys(cls) - {"self", "kwargs"} - set(cls.ignore_for_config)
        parameters = inspect.signature(cls.__init__).parameters
        classes[name] = {key: default(parameters[key].default) for key in sorted(keys)}
    with open(out_file, "w") as f:
        json.dump({"generated_by": "tools/diffusers-reference/generate_scheduler_keys.py with diffusers " + diffusers.__version__
                   + ", " + source_commit(), "classes": classes}, f, indent=1)
        f.write("\n")
    print(len(classes), "classes")


if __name__ == "__main__":
    main(sys.argv[1])
