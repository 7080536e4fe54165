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
