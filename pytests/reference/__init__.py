"""Independent reference implementations (test oracles), imported by the tests beside them as
``reference`` (pytest puts pytests/ on the import path, as for conftest)."""
