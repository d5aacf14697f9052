"""Every text an editor can see from the knowledge-base loader and ``kb check``, in Bokmål and English.

One place, so wording stays consistent and a translator finds it all: keys are referred to by
:func:`bot.knowledge.problems.problem`; ``{names}`` are filled in when a finding is shown, and a
value may be another message of this catalogue (a language name, a hint). Each text says what is
wrong and then, after " — ", what to do.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Labels, the summary line and who a finding is about
    "label_error": {"nb": "Feil", "en": "Error"},
    "label_warning": {"nb": "Advarsel", "en": "Warning"},
    "label_note": {"nb": "Merk", "en": "Note"},
    "summary": {"nb": "{errors}, {warnings} i {files}", "en": "{errors}, {warnings} in {files}"},
    "summary_ok": {"nb": "{folder}: OK — {summary}", "en": "{folder}: OK — {summary}"},
    "summary_failed": {"nb": "{folder}: {summary}", "en": "{folder}: {summary}"},
    "count_errors_one": {"nb": "{count} feil", "en": "{count} error"},
    "count_errors_many": {"nb": "{count} feil", "en": "{count} errors"},
    "count_warnings_one": {"nb": "{count} advarsel", "en": "{count} warning"},
    "count_warnings_many": {"nb": "{count} advarsler", "en": "{count} warnings"},
    "count_files_one": {"nb": "{count} fil", "en": "{count} file"},
    "count_files_many": {"nb": "{count} filer", "en": "{count} files"},
    "subject_entry": {"nb": "oppføring `{id}`", "en": "entry `{id}`"},
    "subject_entry_number": {"nb": "oppføring nr. {number} (uten id)", "en": "entry {number} (no id)"},
    "subject_topic": {"nb": "emne `{id}`", "en": "topic `{id}`"},
    "subject_topic_number": {"nb": "emne nr. {number} (uten id)", "en": "topic {number} (no id)"},
    "subject_question": {"nb": "oppføring `{id}`, alternativt spørsmål {number} ({lang})",
                         "en": "entry `{id}`, alternate question {number} ({lang})"},
    "language_nb": {"nb": "bokmål", "en": "Bokmål"},
    "language_nn": {"nb": "nynorsk", "en": "Nynorsk"},
    "language_en": {"nb": "engelsk", "en": "English"},
    # Files that cannot be read, and what is skipped then
    "folder_not_found": {"nb": "kunnskapsmappen finnes ikke — sjekk knowledge.dir i config.yaml",
                         "en": "knowledge folder not found — check knowledge.dir in config.yaml"},
    "no_files": {"nb": "ingen *.yaml-filer her — legg til minst én fil med oppføringer",
                 "en": "no *.yaml files here — add at least one file of entries"},
    "is_folder": {"nb": "dette er en mappe, ikke en fil — gi den et navn som ikke slutter på .yaml",
                  "en": "this is a folder, not a file — rename it so its name does not end in .yaml"},
    "too_big": {"nb": "filen er {size} kB, mer enn grensen på {limit} kB (knowledge.max_file_kb) — del den i flere "
                      "filer", "en": "the file is {size} kB, more than the limit of {limit} kB (knowledge.max_file_kb) "
                                     "— split it into several files"},
    "unreadable": {"nb": "filen kan ikke leses ({reason}) — sjekk filens tilganger",
                   "en": "the file cannot be read ({reason}) — check the file's permissions"},
    "not_utf8": {"nb": "filen er ikke lagret som UTF-8 (et ukjent tegn i kolonne {column}, ofte æ, ø eller å) — "
                       "lagre den på nytt med tegnkodingen UTF-8",
                 "en": "the file is not saved as UTF-8 (an unknown character in column {column}, often æ, ø or å) "
                       "— save it again with the UTF-8 encoding"},
    "skipped": {"nb": "de andre kontrollene er hoppet over til {files} kan leses — rett feilen over og kjør "
                      "kontrollen på nytt",
                "en": "the other checks were skipped until {files} can be read — fix the error above and run the "
                      "check again"},
    # YAML slips, with the hint that fits
    "yaml_tab": {"nb": "tabulatortegn i innrykket (kolonne {column}) — bytt ut tabulatoren på linje {line} med "
                       "mellomrom",
                 "en": "a tab character in the indentation (column {column}) — replace the tab on line {line} with "
                       "spaces"},
    "yaml_colon": {"nb": "kolon midt i teksten (kolonne {column}) får YAML til å lese resten som en ny nøkkel — "
                         "sett teksten i anførselstegn: {quoted}",
                   "en": "a colon inside the text (column {column}) makes YAML read the rest as a new key — put the "
                         "text in quotes: {quoted}"},
    "yaml_indented_more": {"nb": "linjen har mer innrykk (kolonne {column}) enn linjen over (kolonne {expected}) — "
                                 "rykk den inn likt med linjen over",
                           "en": "the line is indented more (column {column}) than the line above (column "
                                 "{expected}) — indent it like the line above"},
    "yaml_missing_dash": {"nb": "linjen står der en ny oppføring i listen skulle begynne — begynn den nye "
                                "oppføringen med «- », eller rykk linjen inn til kolonne {expected} som linjene over",
                          "en": "the line is where a new item of the list would start — start the new item with "
                                "\"- \", or indent the line to column {expected} like the lines above"},
    "yaml_indent_mismatch": {"nb": "innrykket (kolonne {column}) passer ikke med linjene over (kolonne {expected}) "
                                   "— rykk linjen inn likt med linjene over",
                             "en": "the indentation (column {column}) does not match the lines above (column "
                                   "{expected}) — indent the line like the lines above"},
    "yaml_list_item": {"nb": "linjen er verken «nøkkel: verdi» eller et listepunkt — er den et spørsmål i "
                             "listen, begynn den med «- »",
                       "en": "the line is neither \"key: value\" nor a list item — if it is a question in the "
                             "list, start it with \"- \""},
    "yaml_text_after_quote": {"nb": "tekst etter det avsluttende anførselstegnet (kolonne {column}) — sett hele "
                                    "teksten i anførselstegn: {quoted}",
                              "en": "text after the closing quote (column {column}) — put the whole text in quotes: "
                                    "{quoted}"},
    "yaml_unclosed_quote": {"nb": "anførselstegnet som åpnes på linje {start} lukkes aldri — sett inn det "
                                  "avsluttende {quote}",
                            "en": "the quote opened on line {start} is never closed — add the closing {quote}"},
    "yaml_unclosed_bracket": {"nb": "«{bracket}» som åpnes på linje {start} lukkes ikke — sett inn «{closer}» på "
                                    "slutten, med komma mellom elementene",
                              "en": "the \"{bracket}\" opened on line {start} is not closed — add \"{closer}\" at "
                                    "the end, with commas between the items"},
    "yaml_duplicate_key": {"nb": "nøkkelen `{key}` står to ganger (også på linje {first}), og den siste ville "
                                 "erstattet den første — slett den ene{new_item}",
                           "en": "the key `{key}` appears twice (also on line {first}) and the second would replace "
                                 "the first — delete one{new_item}"},
    "yaml_duplicate_new_item": {"nb": ", eller begynn en ny oppføring med «- » hvis dette er en ny",
                                "en": ", or start a new item with \"- \" if this is a new one"},
    "yaml_other": {"nb": "ugyldig YAML i kolonne {column} ({problem}) — sjekk innrykk, kolon og anførselstegn",
                   "en": "invalid YAML in column {column} ({problem}) — check indentation, colons and quotes"},
    "not_a_mapping": {"nb": "filen må bestå av `topics:` og/eller `entries:` — begynn filen med `entries:`",
                      "en": "the file must consist of `topics:` and/or `entries:` — start the file with `entries:`"},
    # Fields: missing, wrong type, unknown
    "missing_field": {"nb": "har ingen `{field}` — legg til {how}", "en": "has no `{field}` — add {how}"},
    "how_id": {"nb": "`id:` med små bokstaver og bindestrek, som `establisher-guidance`",
               "en": "`id:` in lowercase words joined by dashes, like `establisher-guidance`"},
    "how_topic": {"nb": "`topic:` med id-en til et emne i topics.yaml", "en": "`topic:` with the id of a topic in "
                                                                              "topics.yaml"},
    "how_owner": {"nb": "`owner:` med hvem som har ansvaret for innholdet",
                  "en": "`owner:` with who is responsible for the content"},
    "how_review_by": {"nb": "`review_by:` med datoen innholdet skal sjekkes igjen, ÅÅÅÅ-MM-DD",
                      "en": "`review_by:` with the date to check the content again, YYYY-MM-DD"},
    "how_texts": {"nb": "`{field}:` med en linje per språk (nb:, en:)", "en": "`{field}:` with a line per language "
                                                                              "(nb:, en:)"},
    "how_questions": {"nb": "`questions:` med en liste per språk (nb:, en:), ett spørsmål per linje med «- »",
                      "en": "`questions:` with a list per language (nb:, en:), one question per line with \"- \""},
    "how_value": {"nb": "`{field}:` med en verdi", "en": "`{field}:` with a value"},
    "wrong_list": {"nb": "`{field}` skal være en liste — skriv hvert element på en egen linje som begynner med «- », "
                         "eller [a, b]",
                   "en": "`{field}` must be a list — write each item on its own line starting with \"- \", or [a, b]"},
    "wrong_text": {"nb": "`{field}` skal være tekst — sett verdien i anførselstegn",
                   "en": "`{field}` must be text — put the value in quotes"},
    "wrong_mapping": {"nb": "`{field}` skal ha underpunkter, ett per linje med innrykk (som nb: og en:)",
                      "en": "`{field}` must have sub-keys, one per indented line (like nb: and en:)"},
    "wrong_bool": {"nb": "`{field}` skal være true eller false", "en": "`{field}` must be true or false"},
    "wrong_date": {"nb": "`{field}` skal være en dato — skriv den ÅÅÅÅ-MM-DD, for eksempel 2027-06-30",
                   "en": "`{field}` must be a date — write it YYYY-MM-DD, for example 2027-06-30"},
    "wrong_date_or_year": {"nb": "`{field}` skal være en dato eller et årstall — skriv ÅÅÅÅ-MM-DD eller bare året",
                           "en": "`{field}` must be a date or a year — write YYYY-MM-DD or just the year"},
    "wrong_value": {"nb": "`{field}` har en ugyldig verdi ({detail}) — rett verdien",
                    "en": "`{field}` has an invalid value ({detail}) — fix the value"},
    "empty_text": {"nb": "`{field}` er tom — skriv teksten, eller fjern linjen", "en": "`{field}` is empty — write "
                                                                                       "the text, or remove the line"},
    "empty_question": {"nb": "spørsmålet er tomt — skriv spørsmålet, eller slett linjen",
                       "en": "the question is empty — write the question, or delete the line"},
    "bad_id": {"nb": "id-en `{value}` kan bare ha små bokstaver, tall og bindestrek — skriv for eksempel `{better}`",
               "en": "the id `{value}` may only have lowercase letters, digits and dashes — write for example "
                     "`{better}`"},
    "unknown_field_guess": {"nb": "ukjent felt `{field}` — mente du `{guess}`?",
                            "en": "unknown field `{field}` — did you mean `{guess}`?"},
    "unknown_field": {"nb": "ukjent felt `{field}` — fjern det, eller bruk et av feltene {allowed}",
                      "en": "unknown field `{field}` — remove it, or use one of the fields {allowed}"},
    # Ids and languages across the knowledge base
    "duplicate_entry": {"nb": "id-en er brukt to ganger, her og i {first} — gi den ene oppføringen en annen id, "
                              "eller slå dem sammen",
                        "en": "the id is used twice, here and at {first} — give one of the entries another id, or "
                              "merge them"},
    "duplicate_topic": {"nb": "id-en er brukt to ganger, her og i {first} — gi det ene emnet en annen id",
                        "en": "the id is used twice, here and at {first} — give one of the topics another id"},
    "unknown_topic_guess": {"nb": "emnet `{topic}` finnes ikke — mente du `{guess}`?",
                            "en": "the topic `{topic}` does not exist — did you mean `{guess}`?"},
    "unknown_topic": {"nb": "emnet `{topic}` finnes ikke — bruk et av {known}",
                      "en": "the topic `{topic}` does not exist — use one of {known}"},
    "no_topics": {"nb": "emnet `{topic}` finnes ikke, og ingen emner er definert — legg til emner i topics.yaml",
                  "en": "the topic `{topic}` does not exist and no topics are defined — add topics in topics.yaml"},
    "unknown_related_guess": {"nb": "`related` viser til `{related}`, som ikke finnes — mente du `{guess}`?",
                              "en": "`related` refers to `{related}`, which does not exist — did you mean `{guess}`?"},
    "unknown_related": {"nb": "`related` viser til `{related}`, som ikke finnes — rett id-en, eller fjern den fra "
                              "`related`",
                        "en": "`related` refers to `{related}`, which does not exist — fix the id, or remove it from "
                              "`related`"},
    "self_related": {"nb": "oppføringen viser til seg selv i `related` — fjern `{related}` derfra",
                     "en": "the entry lists itself in `related` — remove `{related}` from it"},
    "missing_language": {"nb": "`{field}` mangler {language} (`{lang}`) — legg til `{lang}:` under `{field}` "
                               "(knowledge.languages krever {required})",
                         "en": "`{field}` has no {language} (`{lang}`) — add `{lang}:` under `{field}` "
                               "(knowledge.languages requires {required})"},
    "required_missing_guess": {"nb": "oppføringen `{id}` mangler, og rapporter og testspørsmål viser til den "
                                     "(knowledge.required_ids) — mente du at `{guess}` skal hete `{id}`?",
                               "en": "the entry `{id}` is missing, and reports and test questions refer to it "
                                     "(knowledge.required_ids) — did you mean `{guess}` to be called `{id}`?"},
    "required_missing": {"nb": "oppføringen `{id}` mangler, og rapporter og testspørsmål viser til den "
                               "(knowledge.required_ids) — legg den til igjen",
                         "en": "the entry `{id}` is missing, and reports and test questions refer to it "
                               "(knowledge.required_ids) — add it back"},
    # kb check's own findings
    "collision": {"nb": "spørsmålet «{text}» er nesten likt «{other}» i oppføring `{other_id}` ({where}) — "
                        "boten må gjette mellom dem: formuler det ene om, eller behold det i bare én av oppføringene",
                  "en": "the question \"{text}\" is nearly the same as \"{other}\" in entry `{other_id}` ({where}) — "
                        "the bot has to guess between them: rephrase one, or keep it under one entry only"},
    "few_questions": {"nb": "har bare {questions} på {language} — legg til flere formuleringer folk faktisk bruker",
                      "en": "has only {questions} in {language} — add more phrasings people really use"},
    "count_questions_one": {"nb": "{count} alternativt spørsmål", "en": "{count} alternate question"},
    "count_questions_many": {"nb": "{count} alternative spørsmål", "en": "{count} alternate questions"},
    "unsourced": {"nb": "mangler {missing} — legg til `source:` (dokumentet opplysningene kommer fra) og `as_of:` "
                        "(datoen, ÅÅÅÅ-MM-DD, eller året)",
                  "en": "has no {missing} — add `source:` (the document the facts come from) and `as_of:` (its "
                        "date, YYYY-MM-DD, or its year)"},
    "and": {"nb": "`{first}` og `{second}`", "en": "`{first}` or `{second}`"},
    "one_field": {"nb": "`{field}`", "en": "`{field}`"},
    "no_nynorsk": {"nb": "har ingen tittel eller svar på nynorsk (`nn`) — nynorske spørsmål får svaret på bokmål",
                   "en": "has no Nynorsk (`nn`) title or answer — Nynorsk questions get the Bokmål answer"},
    "overdue": {"nb": "skulle vært gjennomgått {date} — sjekk opplysningene med {owner} og flytt `review_by` fram",
                "en": "was due for review on {date} — check the facts with {owner} and move `review_by` forward"},
    "card_too_long": {"nb": "svarkortet på {language} blir {length} tegn med tittel og kildelinje, {over} for mye "
                            "for én Telegram-melding ({limit}), så slutten blir kuttet — forkort svaret med {over} "
                            "tegn, eller del det i to oppføringer",
                      "en": "the answer card in {language} is {length} characters with its title and source line, "
                            "{over} more than one Telegram message holds ({limit}), so its end is cut off — shorten "
                            "the answer by {over} characters or split it into two entries"},
}
