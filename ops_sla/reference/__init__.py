"""Independent, standard-library-only reference implementations (test oracles)."""
