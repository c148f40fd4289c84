import { formatLine } from "../line.js";
import { type OracleContext, rows } from "../session.js";

/**
 * The database's own settings (for all roles, and per role) and comment. Settings the tool's
 * policy withholds are left out by the caller's `withholdSettings`.
 */
export async function databaseLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return [];
  const settings = await rows<{ role: string | null; setting: string }>(
    ctx,
    `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole)::text END AS role, c.setting
       FROM pg_db_role_setting s, unnest(s.setconfig) c(setting)
      WHERE s.setdatabase = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())`,
  );
  const comment = await rows<{ comment: string | null }>(
    ctx,
    `SELECT shobj_description(d.oid, 'pg_database') AS comment FROM pg_database d WHERE d.datname = current_database()`,
  );
  const lines: string[] = [];
  for (const s of settings) {
    const at = s.setting.indexOf("=");
    const name = at < 0 ? s.setting : s.setting.slice(0, at);
    const value = at < 0 ? "" : s.setting.slice(at + 1);
    if (ctx.withholdSettings(name)) continue;
    if (s.role === null) lines.push(formatLine("database.setting", "database", name, value));
    else lines.push(formatLine("database.role-setting", `role ${s.role}`, name, value));
  }
  const text = comment[0]?.comment;
  if (text !== null && text !== undefined) lines.push(formatLine("database.comment", "database", "", text));
  return lines;
}
