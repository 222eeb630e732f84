"""The scenarios of `make soak` (bench/soak.py), one module each; each runs in a process of its own.

``common`` holds what they share (gunicorn servers, the tally, readers, logging in and saving through the admin).
"""

from .faults import scenario_faults
from .restart import scenario_restart
from .sqlite import scenario_sqlite
from .two_servers import scenario_two_servers

SCENARIOS = {"pg": scenario_two_servers, "pg+redis": scenario_two_servers, "pg-faults": scenario_faults,
             "pg-restart": scenario_restart, "sqlite": scenario_sqlite}
