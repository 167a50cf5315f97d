package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"
)

// Grant is one privilege zwatch's run-time role needs on one table or
// sequence of the schema zwatch was migrated into.
type Grant struct {
	Privileges string // as GRANT takes them, column lists included
	Kind       string // TABLE or SEQUENCE
	Name       string // as SQL writes it, without the schema
	For        string // who needs it, printed beside the statement
}

// RuntimeGrants is everything every zwatch command but migrate needs, and
// nothing more: `zwatch migrate --print-grants ROLE` prints it as SQL, and the
// tests run every command as a role that holds exactly this. A new table or
// sequence of zwatch's is one more line here (the README's Development notes
// say so). Updates of the shop's tables are granted on the columns zwatch
// writes only, so that the database keeps the README's promise too.
var RuntimeGrants = []Grant{
	{"SELECT", "TABLE", "zwatch_schema_migrations", "every command: are zwatch's migrations applied"},
	{"SELECT, INSERT, UPDATE, DELETE", "TABLE", "zwatch_order_checks", "scheduling, claims, check --order; long-finished rows are deleted"},
	{"SELECT, INSERT, DELETE", "TABLE", "zwatch_order_events", "the append-only transition log; stats; events go after 90 days, those of orders the shop deleted 7 days later"},
	{"USAGE", "SEQUENCE", "zwatch_order_events_id_seq", "ids of the transition log"},
	{"SELECT, UPDATE", "TABLE", "zwatch_state", "check-pending: how far registering and the sweep got, and whose turn it is to refit or to report, shared by every run"},
	{"SELECT, INSERT, UPDATE", "TABLE", "zwatch_panel_budgets", "check-pending: every run's share of a panel's --rate"},
	{"SELECT, INSERT, UPDATE", "TABLE", "zwatch_panel_fits", "check-pending: what it learned of each panel, refitted every few minutes; stats, list and the dry run for when a new or re-sent order is first asked"},
	{"SELECT, INSERT, DELETE", "TABLE", "zwatch_runs", "check-pending records its run, and prunes old ones; stats"},
	{"SELECT", "TABLE", "integrations", "the znet integrations and their credentials"},
	{`UPDATE (balance, "balanceUpdatedAt")`, "TABLE", "integrations", "balance --save only"},
	{"SELECT", "TABLE", "product_orders", "finding and reading orders"},
	{"UPDATE (" + columnList(shopColumnsWritten) + ")", "TABLE", "product_orders",
		"saving answers: the columns of What an answer does, and no other"},
}

// columnList is columns as SQL names them, quoted where a name has
// capitals: the grant is on the columns the apply sets, and no other.
func columnList(columns []string) string {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = c
		if strings.ToLower(c) != c {
			quoted[i] = pq.QuoteIdentifier(c)
		}
	}
	return strings.Join(quoted, ", ")
}

// GrantStatements is RuntimeGrants as SQL for role, in database and schema:
// CONNECT and USAGE first, which most databases give everyone (PUBLIC), but
// a locked-down one does not. Names must already be quoted as SQL needs.
func GrantStatements(role, database, schema string) []string {
	out := []string{
		// The owner of the shop's tables may not own the database or the
		// schema: psql then only warns that nothing was granted, which
		// matters where PUBLIC was given nothing.
		fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s; -- given by the database's owner or a superuser (psql warns \"no privileges were granted\" to another role)", database, role),
		fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s; -- given by the schema's owner or a superuser, likewise", schema, role),
	}
	for _, g := range RuntimeGrants {
		out = append(out, fmt.Sprintf("GRANT %s ON %s %s.%s TO %s; -- %s", g.Privileges, g.Kind, schema, g.Name, role, g.For))
	}
	return out
}

// grantNamesSQL quotes the role and names the database and schema zwatch's
// tables are in, as this connection sees them, quoted where SQL needs it.
const grantNamesSQL = `
SELECT quote_ident($1)                 AS role, -- the run-time role
       quote_ident(current_database()) AS database,
       COALESCE(quote_ident(current_schema()), '') AS schema,
       EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS role_exists,
       -- A schema named as the role comes first on its search path
       -- ("$user"), before the one zwatch's tables are in.
       EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS own_schema,
       -- What the name may have meant: another case, or quotes typed as
       -- part of it.
       COALESCE((SELECT string_agg(rolname, ', ' ORDER BY rolname) FROM pg_roles
                 WHERE lower(rolname) = lower(btrim($1, '"'))), '') AS like_roles,
       -- The shop's tables under row-level security, which the role must
       -- see through: zwatch reads and writes every tenant's znet orders.
       COALESCE((SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c
                 WHERE c.oid IN (to_regclass('product_orders'), to_regclass('integrations'))
                   AND c.relrowsecurity), '') AS row_security`

// PrintableGrants is GrantStatements for role in the database and schema of
// this connection: the schema the owner's `zwatch migrate` creates zwatch's
// tables in, if it connects the same way. It writes nothing.
//
// newer lists the migrations applied that this binary does not carry: a
// newer zwatch migrated the database, and its role may need more.
func (s *Store) PrintableGrants(ctx context.Context, role string) (grants []string, newer []int64, err error) {
	// The grants name zwatch's tables: in another database, or before
	// migrate, psql would apply the first of them and fail on the rest.
	if newer, err = s.RequireMigrated(ctx); err != nil {
		return nil, nil, err
	}
	var names struct {
		Role        string `db:"role"`
		Database    string `db:"database"`
		Schema      string `db:"schema"`
		RoleExists  bool   `db:"role_exists"`
		OwnSchema   bool   `db:"own_schema"`
		LikeRoles   string `db:"like_roles"`
		RowSecurity string `db:"row_security"`
	}
	err = s.db.GetContext(ctx, &names, grantNamesSQL, role)
	if beyondEncoding(err) {
		return nil, nil, fmt.Errorf("%w: %q (a name the database's encoding cannot hold)", ErrNoSuchRole, role)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("naming the database and schema for the grants: %w", s.connectionBroke(err))
	}
	if !names.RoleExists {
		// psql would refuse every grant; and a name quoted or cased
		// otherwise than the role was created is another role.
		err := fmt.Errorf("%w: %q (a role's name is taken as written, quotes and case included; create it first)", ErrNoSuchRole, role)
		if names.LikeRoles != "" {
			err = fmt.Errorf("%w: %q; did you mean %s?", ErrNoSuchRole, role, names.LikeRoles)
		}
		return nil, nil, err
	}
	if names.Schema == "" {
		return nil, nil, fmt.Errorf("no schema of the search path exists in database %s, so zwatch has no tables to grant on", names.Database)
	}
	grants = GrantStatements(names.Role, names.Database, names.Schema)
	if names.Schema != "public" || names.OwnSchema {
		// The role finds zwatch's tables and the shop's by its search
		// path, whose default is "$user", public. public stays on it, for
		// what the shop's triggers call there.
		path := names.Schema
		if path != "public" {
			path += ", public"
		}
		grants = append(grants, fmt.Sprintf("ALTER ROLE %[1]s IN DATABASE %[2]s SET search_path = %[3]s; -- the role finds the tables in %[4]s first; given by a superuser or a role with CREATEROLE, or by %[1]s itself (or add options='-c search_path=%[3]s' to its connection settings)",
			names.Role, names.Database, path, names.Schema))
	}
	if names.RowSecurity != "" {
		// Advice, not SQL to run: which rows a role sees is the shop's
		// decision. Without it zwatch would see no order, and say nothing.
		tables := strings.Split(names.RowSecurity, ",")
		grants = append(grants, fmt.Sprintf("-- %s use row-level security: without a policy that lets %s see and update every tenant's rows, zwatch finds no order to ask about. For example:",
			strings.Join(tables, " and "), names.Role))
		for _, table := range tables {
			grants = append(grants, fmt.Sprintf("-- CREATE POLICY zwatch_all ON %s.%s TO %s USING (true) WITH CHECK (true);", names.Schema, table, names.Role))
		}
		grants = append(grants, fmt.Sprintf("-- (or ALTER ROLE %s BYPASSRLS, as a superuser)", names.Role))
	}
	return grants, newer, nil
}

// ErrNoSuchRole means the role to print grants for does not exist.
var ErrNoSuchRole = errors.New("no such role")

// RoleLacking is a role zwatch runs as (rolesLackingGrantsSQL tells which)
// that lacks some of what --print-grants gives.
type RoleLacking struct {
	Role    string `db:"role"`
	Lacking string `db:"lacking"` // "SELECT, INSERT on zwatch_panel_fits; ..."
}

// rolesLackingGrantsSQL: $1-$4 what --print-grants gives, split into one
// privilege on one table, sequence or column each (kind, name, column or
// empty, privilege); kinds DATABASE and SCHEMA stand for CONNECT on this
// database and USAGE on the schema zwatch's tables are in.
//
// zwatch's roles are told by what only --print-grants gives them: UPDATE
// on zwatch_order_checks and on columns of product_orders, by column. A
// role of the shop's granted tables wholesale (ALL ON ALL TABLES, default
// privileges), or zwatch's table alone for a script of its own, holds no
// column grant, and is not zwatch's. Of those, the roles that log in are
// checked, and those that log in through them (a group's members, whose
// own grants may complete the group's, and which NOINHERIT leaves
// without it); a role retired with NOLOGIN and no members is not.
const rolesLackingGrantsSQL = `
WITH RECURSIVE granted AS (
	SELECT DISTINCT a.grantee AS oid
	FROM pg_class c, aclexplode(c.relacl) a
	WHERE c.oid = to_regclass('zwatch_order_checks') AND a.privilege_type = 'UPDATE'
	  AND a.grantee NOT IN (0, c.relowner)
	  AND EXISTS (SELECT 1 FROM pg_attribute att, aclexplode(att.attacl) b
	              WHERE att.attrelid = to_regclass('product_orders')
	                AND b.grantee = a.grantee AND b.privilege_type = 'UPDATE')
),
runs_as AS (
	SELECT oid FROM granted
	UNION
	-- A member that uses the role's grants: by inheriting them or by SET
	-- ROLE. Since PostgreSQL 16 a role with CREATEROLE that made zwatch's
	-- role is its member WITH ADMIN alone, which is neither, and not
	-- zwatch's. (A CASE, for PostgreSQL 15 knows no SET privilege.)
	SELECT m.member FROM pg_auth_members m JOIN runs_as ON m.roleid = runs_as.oid
	WHERE CASE WHEN current_setting('server_version_num')::int < 160000 THEN true
	           ELSE pg_has_role(m.member, m.roleid, 'USAGE') OR pg_has_role(m.member, m.roleid, 'SET') END
),
needs AS (
	SELECT n.kind, n.col, n.priv, n.k, to_regclass(NULLIF(n.name, '')) AS rel,
	       CASE n.kind WHEN 'DATABASE' THEN 'database ' || quote_ident(current_database())
	                   WHEN 'SCHEMA' THEN 'schema ' || quote_ident(current_schema())
	                   ELSE n.name END AS label
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS n(kind, name, col, priv, k)
),
lacking AS (
	SELECT r.rolname, needs.label, needs.priv, min(needs.k) AS k,
	       string_agg(quote_ident(needs.col), ', ' ORDER BY needs.k) FILTER (WHERE needs.col <> '') AS cols
	FROM runs_as
	JOIN pg_roles r ON r.oid = runs_as.oid
	CROSS JOIN needs
	WHERE r.rolcanlogin AND NOT r.rolsuper
	  AND (needs.rel IS NOT NULL OR needs.kind = 'DATABASE' OR needs.kind = 'SCHEMA' AND current_schema() IS NOT NULL)
	  AND NOT CASE
		WHEN needs.kind = 'DATABASE' THEN has_database_privilege(r.oid, current_database(), needs.priv)
		WHEN needs.kind = 'SCHEMA' THEN has_schema_privilege(r.oid, current_schema(), needs.priv)
		WHEN needs.kind = 'SEQUENCE' THEN has_sequence_privilege(r.oid, needs.rel, needs.priv)
		WHEN needs.col <> '' THEN has_column_privilege(r.oid, needs.rel, needs.col, needs.priv)
		ELSE has_table_privilege(r.oid, needs.rel, needs.priv)
	  END
	GROUP BY r.rolname, needs.label, needs.priv
),
per_object AS (
	-- A line of the grants each: UPDATE ("lastSyncAt", "pinCode") on product_orders.
	SELECT rolname, min(k) AS k,
	       string_agg(priv || COALESCE(' (' || cols || ')', ''), ', ' ORDER BY k) || ' on ' || label AS lacking
	FROM lacking
	GROUP BY rolname, label
)
SELECT rolname AS role, string_agg(lacking, '; ' ORDER BY k) AS lacking
FROM per_object
GROUP BY rolname
ORDER BY rolname`

// RolesLackingGrants are the roles zwatch runs as, by the grants only
// --print-grants gives, that lack some of what its commands need: after a migrate that
// created a table while no one looked (killed and run again, or run by
// two people at once, the second of which applied nothing that created
// one), or a column the apply writes that an older zwatch did not.
func (s *Store) RolesLackingGrants(ctx context.Context) ([]RoleLacking, error) {
	var kinds, names, columns, privileges []string
	need := func(kind, name, column, privilege string) {
		kinds, names, columns, privileges = append(kinds, kind), append(names, name), append(columns, column), append(privileges, privilege)
	}
	// As GrantStatements gives them first.
	need("DATABASE", "", "", "CONNECT")
	need("SCHEMA", "", "", "USAGE")
	for _, g := range RuntimeGrants {
		privilege, list, onColumns := strings.Cut(g.Privileges, " (")
		if !onColumns {
			for _, p := range strings.Split(g.Privileges, ", ") {
				need(g.Kind, g.Name, "", p)
			}
			continue
		}
		for _, column := range strings.Split(strings.TrimSuffix(list, ")"), ", ") {
			need(g.Kind, g.Name, strings.Trim(column, `"`), privilege)
		}
	}
	var lacking []RoleLacking
	err := s.db.SelectContext(ctx, &lacking, rolesLackingGrantsSQL, pq.Array(kinds), pq.Array(names), pq.Array(columns), pq.Array(privileges))
	if err != nil {
		return nil, fmt.Errorf("reading which roles hold zwatch's grants: %w", s.connectionBroke(err))
	}
	return lacking, nil
}
