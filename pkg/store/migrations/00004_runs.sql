-- One row per check-pending run, so that `zwatch stats` can say whether the
-- last runs went well without a server that watches them. A dry run writes
-- nothing, so it has no row. The table stays small: each run deletes the
-- rows that are too old as it adds its own (store.RecordRun).

-- +goose Up
CREATE TABLE zwatch_runs (
    run_id      text        PRIMARY KEY,          -- as in the logs and zwatch_order_events.run_id
    host        text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    asked       integer     NOT NULL DEFAULT 0,
    completed   integer     NOT NULL DEFAULT 0,
    processing  integer     NOT NULL DEFAULT 0,
    failed      integer     NOT NULL DEFAULT 0,
    errors      integer     NOT NULL DEFAULT 0,
    skipped     integer     NOT NULL DEFAULT 0,
    stuck       integer     NOT NULL DEFAULT 0,
    failing     integer     NOT NULL DEFAULT 0,   -- integrations cut off in this run
    exit_status smallint    NOT NULL,             -- what check-pending returned
    stopped_by  varchar(20),                      -- signal | max-duration
    error       text                              -- why a run failed (exit status 1)
);

-- "The last runs", and the pruning of old ones, both walk this index.
CREATE INDEX zwatch_runs_started_at ON zwatch_runs (started_at);

-- +goose Down
DROP TABLE zwatch_runs;
