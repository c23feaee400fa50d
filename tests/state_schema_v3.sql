-- Ledger schema 3 as demo-gen created it on SQLite (frozen: the v3 -> v4 migration test starts here)
CREATE TABLE anchors (
	pack VARCHAR(200) NOT NULL, 
	org_id VARCHAR(64) NOT NULL, 
	opportunity_id VARCHAR(64) NOT NULL, 
	anchor_date VARCHAR(10) NOT NULL, 
	PRIMARY KEY (pack, org_id, opportunity_id)
);
CREATE TABLE content (
	"key" VARCHAR(255) NOT NULL, 
	value TEXT NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE items (
	target VARCHAR(255) NOT NULL, 
	signature VARCHAR(128) NOT NULL, 
	run_id VARCHAR(128) NOT NULL, 
	pack VARCHAR(200) NOT NULL, 
	opportunity_id VARCHAR(64) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	record_type VARCHAR(80) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	remote_id VARCHAR(255), 
	error_code VARCHAR(80), 
	error TEXT, 
	parent_signature VARCHAR(128), 
	planned_start VARCHAR(40), 
	subject TEXT, 
	updated_at VARCHAR(40) NOT NULL, 
	identity TEXT, 
	PRIMARY KEY (target, signature), 
	FOREIGN KEY(run_id) REFERENCES runs (run_id)
);
CREATE TABLE locks (
	pack VARCHAR(200) NOT NULL, 
	target VARCHAR(255) NOT NULL, 
	owner VARCHAR(128) NOT NULL, 
	host VARCHAR(255) NOT NULL, 
	pid INTEGER NOT NULL, 
	acquired_at VARCHAR(40) NOT NULL, 
	heartbeat_at VARCHAR(40), 
	PRIMARY KEY (pack, target)
);
CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE run_opportunities (
	run_id VARCHAR(128) NOT NULL, 
	opportunity_id VARCHAR(64) NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (run_id, opportunity_id), 
	FOREIGN KEY(run_id) REFERENCES runs (run_id) ON DELETE CASCADE
);
CREATE TABLE runs (
	run_id VARCHAR(128) NOT NULL, 
	pack VARCHAR(200) NOT NULL, 
	org_id VARCHAR(64) NOT NULL, 
	command VARCHAR(32) NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	started_at VARCHAR(40) NOT NULL, 
	finished_at VARCHAR(40), 
	config_fingerprint VARCHAR(128) NOT NULL, 
	summary_json TEXT, 
	reset_json TEXT, 
	PRIMARY KEY (run_id)
);
CREATE INDEX ix_items_run_status ON items (run_id, status);
CREATE INDEX ix_items_target_pack_status ON items (target, pack, status);
CREATE INDEX ix_runs_pack_org_status ON runs (pack, org_id, status);
