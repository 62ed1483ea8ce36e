"""Python's cyclic garbage collector, paused while a Lambda function imports its code (N6).

Importing a handler creates a few hundred thousand objects — pydantic's models, botocore's
service descriptions, the Powertools utilities — that all live as long as the Lambda instance.
While they are being created the collector runs again and again and walks every one of them
(20–60 ms of each cold start, `./scripts/bench cold-start` with and without). So every handler
module imports this module first, which pauses the collector, and calls :func:`imported` as its
last statement, which moves what the imports made into the permanent generation (``gc.freeze``:
never garbage, never walked again, by this invocation's collections either) and resumes it.
"""

import gc

gc.disable()


def imported() -> None:
    """The handler's code is loaded: keep it out of every later collection, and collect again."""
    gc.freeze()
    gc.enable()
