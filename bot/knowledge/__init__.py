"""The knowledge base: entry model and loading (model), YAML files with line numbers (files), reading one
file with hints for the usual slips (reading), validation errors in editors' words (validation), the
findings and their texts in Bokmål and English (problems, messages), the editors' check (check) and
answer-card lengths (cards), test-question evaluation (evaluation), fitting the confidence model
(tuning) and hot reload in the running bot (reloader)."""
