"""The inquiry log and privacy: the SQLite file and its migrations (database), inquiry rows and
users (inquiries), handoffs to staff (handoffs), erasure and retention (privacy), pseudonyms
(pseudonyms) and redaction of personal data before anything is stored (redaction)."""
