"""Næringsbot core: knowledge base, matching, answers and the inquiry log, free of Telegram types."""

__version__ = "0.1.0"
