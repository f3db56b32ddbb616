-- The kmharness results database: the single source of its schema.
--
-- The Makefile embeds this file into the program as schema_sql[]; db/store.c
-- applies it.  The file is a list of migration steps.  A line starting with
-- "-- @version N" begins step N, which brings a database file from
-- PRAGMA user_version N-1 to N.  A new file runs every step in order; an
-- older file runs only the steps it is missing.  store.c runs the steps
-- inside one transaction and sets user_version itself, so steps never set
-- it.  A step, once released, is never edited: a schema change is a new
-- step appended at the end.
--
-- Public contract (shared/spec/interface.md): the outcome view and its
-- columns.  Everything else here is the project's own and may change
-- through new steps.
--
-- Writers: every run appends one row to run (its INTEGER PRIMARY KEY is the
-- run id, so two processes appending to one file each get their own id),
-- then one scenario_result row per scenario and one check_result row per
-- built-in check or expectation of that scenario.  All text is UTF-8 and
-- already redacted by the harness; the database never holds a password.

-- @version 1

-- One execution of `kmharness run`.  Times are UTC ISO 8601
-- ("2024-05-01T12:34:56Z"); ended_at and the counts stay NULL until the run
-- finishes, so an interrupted run is visible as such.
CREATE TABLE run (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    harness_version TEXT,
    wine_version    TEXT,
    host            TEXT,
    command_line    TEXT,
    passed          INTEGER,
    failed          INTEGER,
    errors          INTEGER
);

-- One scenario of one run; seq is its position in the run (0, 1, ...).
-- The probe columns (*_code, *_message, *_version) are NULL when the probe
-- did not run (input error).  *_code: 0 version found, a Win32 error code,
-- or -1 when no KM server service was installed.  type_*: the registry
-- type name of ImagePath ("REG_EXPAND_SZ"), NULL when there was no value.
CREATE TABLE scenario_result (
    run_id            INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    scenario          TEXT NOT NULL,
    source_file       TEXT,
    summary           TEXT,
    verdict           TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'error')),
    error_text        TEXT,
    image_path_before TEXT,
    type_before       TEXT,
    before_code       INTEGER,
    before_message    TEXT,
    before_version    TEXT,
    image_path_after  TEXT,
    type_after        TEXT,
    after_code        INTEGER,
    after_message     TEXT,
    after_version     TEXT,
    fix_action        TEXT,
    fix_message       TEXT,
    elapsed_ms        REAL,
    PRIMARY KEY (run_id, seq)
);

-- A scenario's history across runs ("how did NAME do lately?").
CREATE INDEX scenario_result_by_name ON scenario_result (scenario, run_id);

-- One built-in check or stated expectation of one scenario, in the order
-- the harness evaluated them (rowid order).  ok is 1 or 0.
CREATE TABLE check_result (
    run_id INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    name   TEXT NOT NULL,
    ok     INTEGER NOT NULL CHECK (ok IN (0, 1)),
    detail TEXT,
    FOREIGN KEY (run_id, seq) REFERENCES scenario_result (run_id, seq)
        ON DELETE CASCADE
);

-- Reports list a scenario's checks; the cascade from scenario_result needs
-- the same lookup.
CREATE INDEX check_result_by_scenario ON check_result (run_id, seq);

-- The stable way in for other people's pipelines (interface.md).
CREATE VIEW outcome AS
    SELECT run_id, scenario, image_path_before, before_code,
           image_path_after, after_code, verdict
    FROM scenario_result;

-- @version 2

-- The shape of the ImagePath value the probe found before the fix (labels
-- and rules in emu/shape.h: "path+args", "quoted", "hidden-tail", ...),
-- for `kmharness report --by-shape`.  Only the label is stored, never the
-- value.  NULL for an input error (nothing was probed) and for rows
-- written before this step.  The outcome view keeps its contract columns.
ALTER TABLE scenario_result ADD COLUMN shape_before TEXT;

-- @version 3

-- Era profiles (emu/era.h): which Windows version API a run emulated
-- ("nt4", "2000" or "xp"; NULL for runs before this step, which were xp),
-- and for each probe the era rule that gave its outcome and whether that
-- rule rests on an assumption (1) or a source (0).  NULL when the probe did
-- not run, and for rows written before this step.
ALTER TABLE run ADD COLUMN windows TEXT;
ALTER TABLE scenario_result ADD COLUMN before_rule TEXT;
ALTER TABLE scenario_result ADD COLUMN before_assumed INTEGER;
ALTER TABLE scenario_result ADD COLUMN after_rule TEXT;
ALTER TABLE scenario_result ADD COLUMN after_assumed INTEGER;

-- Scenarios a run did not execute because Wine cannot reproduce what
-- Windows does for them (their @skip directive gives the reason).  They
-- are not in scenario_result: nothing was probed.
CREATE TABLE skipped_scenario (
    run_id      INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    scenario    TEXT NOT NULL,
    source_file TEXT,
    reason      TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- @version 4

-- A scenario with no directive at all (a server's own regedit export)
-- states no expectation: when its built-in checks pass its verdict is
-- "observed" (interface.md), which the CHECK of step 1 did not allow.
-- SQLite cannot change a CHECK in place, so scenario_result is rebuilt.
-- check_result refers to it and foreign keys are on (a DROP would cascade
-- into the checks), so check_result moves aside first and is rebuilt after;
-- the outcome view and the indexes are made again as they were.
DROP VIEW outcome;
ALTER TABLE check_result RENAME TO check_result_v3;
ALTER TABLE scenario_result RENAME TO scenario_result_v3;
CREATE TABLE scenario_result (
    run_id            INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    scenario          TEXT NOT NULL,
    source_file       TEXT,
    summary           TEXT,
    verdict           TEXT NOT NULL
                      CHECK (verdict IN ('pass', 'fail', 'error', 'observed')),
    error_text        TEXT,
    image_path_before TEXT,
    type_before       TEXT,
    before_code       INTEGER,
    before_message    TEXT,
    before_version    TEXT,
    image_path_after  TEXT,
    type_after        TEXT,
    after_code        INTEGER,
    after_message     TEXT,
    after_version     TEXT,
    fix_action        TEXT,
    fix_message       TEXT,
    elapsed_ms        REAL,
    shape_before      TEXT,
    before_rule       TEXT,
    before_assumed    INTEGER,
    after_rule        TEXT,
    after_assumed     INTEGER,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO scenario_result SELECT run_id, seq, scenario, source_file, summary, verdict,
    error_text, image_path_before, type_before, before_code, before_message, before_version,
    image_path_after, type_after, after_code, after_message, after_version, fix_action,
    fix_message, elapsed_ms, shape_before, before_rule, before_assumed, after_rule,
    after_assumed FROM scenario_result_v3;
CREATE TABLE check_result (
    run_id INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    name   TEXT NOT NULL,
    ok     INTEGER NOT NULL CHECK (ok IN (0, 1)),
    detail TEXT,
    FOREIGN KEY (run_id, seq) REFERENCES scenario_result (run_id, seq)
        ON DELETE CASCADE
);
INSERT INTO check_result (rowid, run_id, seq, name, ok, detail)
    SELECT rowid, run_id, seq, name, ok, detail FROM check_result_v3;
DROP TABLE check_result_v3;
DROP TABLE scenario_result_v3;
CREATE INDEX scenario_result_by_name ON scenario_result (scenario, run_id);
CREATE INDEX check_result_by_scenario ON check_result (run_id, seq);
CREATE VIEW outcome AS
    SELECT run_id, scenario, image_path_before, before_code,
           image_path_after, after_code, verdict
    FROM scenario_result;

-- @version 5

-- A run's identity across files: `kmharness merge` copies runs from shard
-- databases into one file, where they get new ids; uid stays, so merging
-- the same file twice copies nothing the second time.  Runs written before
-- this step get one now.
ALTER TABLE run ADD COLUMN uid TEXT;
UPDATE run SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
CREATE UNIQUE INDEX run_by_uid ON run (uid);

-- @version 6

-- `run --remedy FILE`: the admin's remediation that ran in each scenario
-- beside the KB fix (harness/remedy.h), named by its file name and SHA-256
-- on the run (NULL for runs without one), and its result per scenario:
-- how its process ended ("exit 0", "timed out after 30 s", ...), the probe
-- after it and ImagePath after it (redacted like every ImagePath), the
-- probe after the KB fix on a fresh copy of the same scenario, the
-- built-in checks that failed for it (names, or NULL), what it wrote
-- outside the service key (NULL: nothing), and the verdict.  The outcome
-- view is unchanged: it is the KB fix's.
ALTER TABLE run ADD COLUMN remedy TEXT;
ALTER TABLE run ADD COLUMN remedy_sha256 TEXT;
CREATE TABLE remedy_result (
    run_id           INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    scenario         TEXT NOT NULL,
    ended            TEXT NOT NULL,
    after_code       INTEGER,
    image_path_after TEXT,
    fix_after_code   INTEGER,
    failed_checks    TEXT,
    wrote_outside    TEXT,
    verdict          TEXT NOT NULL CHECK (verdict IN ('same', 'better', 'worse', 'broken')),
    PRIMARY KEY (run_id, seq)
);

-- @version 7

-- The KM service lifecycle (issue 10): what became of the KM service when
-- the harness started it through the service control manager before the
-- fix, after it, and after the fix's rollback, in the scenario format's
-- STATE words (emu/service_state.h): "running", "stopped:N" (its
-- service-specific exit code), "not-started:CODE" (the start failed with
-- Win32 error CODE), "decoy" (a decoy program ran instead).  NULL when the
-- lifecycle did not run: an input error, a run without it, or a row
-- written before this step.  service_image: the program Windows' service
-- manager would have started after the fix (emu/scm_search.h: where Wine's
-- search differs, Windows' is recorded), redacted like every ImagePath;
-- NULL when none would start or the lifecycle did not run.  The outcome
-- view is unchanged: it is the version probe's.
ALTER TABLE scenario_result ADD COLUMN service_before TEXT;
ALTER TABLE scenario_result ADD COLUMN service_after TEXT;
ALTER TABLE scenario_result ADD COLUMN service_restored TEXT;
ALTER TABLE scenario_result ADD COLUMN service_image TEXT;
