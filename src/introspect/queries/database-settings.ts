import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../rows.js";

// Settings of the database itself (ALTER DATABASE ... SET), for every role (setrole = 0). Each entry
// is "name=value", the value as the server flattened it (list elements quoted where needed).
const SQL = `
SELECT split_part(s.setting, '=', 1) AS name, substr(s.setting, strpos(s.setting, '=') + 1) AS value
FROM pg_catalog.pg_db_role_setting d
JOIN pg_catalog.pg_database db ON db.oid = d.setdatabase AND db.datname = pg_catalog.current_database()
CROSS JOIN LATERAL unnest(d.setconfig) AS s(setting)
WHERE d.setrole = 0
ORDER BY split_part(s.setting, '=', 1) COLLATE "C"`;

export const DatabaseSettingRow = z.object({ name: text, value: text });
export type DatabaseSettingRow = z.infer<typeof DatabaseSettingRow>;

export function readDatabaseSettings(client: pg.Client): Promise<DatabaseSettingRow[]> {
  return queryRows(client, "database settings", SQL, [], DatabaseSettingRow);
}
