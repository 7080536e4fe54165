import { createTestApp, TEST_DB, type TestApp } from '../support/test-app';

describe(`migrations on ${TEST_DB}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('leave no difference between the migrated schema and the entities', async () => {
    const diff = await t.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false });
    expect(diff.trim()).toBe('');
    expect(await t.orm.getMigrator().checkMigrationNeeded()).toBe(false);
  });

  it('have all been applied', async () => {
    expect(await t.orm.getMigrator().getPendingMigrations()).toEqual([]);
  });
});

describe(`calendar dates on ${TEST_DB}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const DATE_COLUMNS = [
    ['activities', 'date'],
    ['units', 'cycle_start'],
    ['units', 'cycle_end'],
    ['unit_targets', 'period_start'],
    ['compliance_counts', 'period_start'],
    ['compliance_counts', 'period_end'],
    ['report_runs', 'as_of'],
    ['outbox_messages', 'as_of'],
  ];

  it('are date columns on PostgreSQL and text on SQLite, read back as YYYY-MM-DD strings', async () => {
    const conn = t.orm.em.getConnection();
    for (const [table, column] of DATE_COLUMNS) {
      const type =
        TEST_DB === 'postgresql'
          ? (
              await conn.execute<{ data_type: string }[]>(
                `select data_type from information_schema.columns where table_name = ? and column_name = ?`,
                [table, column],
              )
            )[0]?.data_type
          : (await conn.execute<{ name: string; type: string }[]>(`pragma table_info(${table})`))
              .find((c: { name: string; type: string }) => c.name === column)
              ?.type.toLowerCase();
      expect([table, column, type]).toEqual([table, column, TEST_DB === 'postgresql' ? 'date' : 'text']);
    }
    const [row] = await conn.execute<{ d: unknown }[]>(
      TEST_DB === 'postgresql' ? `select date '2026-02-28' as d` : `select '2026-02-28' as d`,
    );
    expect(row.d).toBe('2026-02-28');
  });
});
