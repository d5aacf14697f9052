"""The knowledge base: entry model and loading (model), YAML files with line numbers (files), the
editors' check (check), test-question evaluation (evaluation), fitting the confidence model
(tuning) and hot reload in the running bot (reloader)."""
