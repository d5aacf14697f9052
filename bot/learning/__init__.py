"""Learning from use, with staff in control: suggestions collected from the inquiry log
(suggestions), accepting, rejecting and undoing them behind a regression guard (decisions), the
round-trip YAML edits that keep editors' files as they wrote them (yamledit), and the knowledge
base as a workbook for editors who do not write YAML (workbook). Nothing here changes the
knowledge base by itself."""
