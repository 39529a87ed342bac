// Runs migrations from a directory in a child process, so a test can kill it mid-migration.
import { openDatabase } from '../../src/server/db/client.ts';
import { migrate } from '../../src/server/db/migrate.ts';

const [directory] = process.argv.slice(2);
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR });
process.stdout.write('opened\n');
await migrate(db, directory);
await db.close();
process.stdout.write('done\n');
