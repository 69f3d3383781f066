"""Running Huican: the web server, the worker process and its scheduler, and the demo.

- ``demo``: `huican demo` (a synthetic Xinzhou loaded through the real import path, then served).
- ``serve``: `huican serve` (production settings, Waitress, WhiteNoise).
- ``worker``: `huican worker` (runs queued background jobs, huican.core.tasks) and the worker
  process that `huican serve` and `huican demo` start beside the web server and stop with it.
- ``schedule``: the periodic jobs the worker enqueues (upload purge, audit checkpoint, nightly
  findings run).

Not a Django app (it has no models): it sits above every app and may import any of them.
"""
