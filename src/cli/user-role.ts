import 'reflect-metadata';
import { loadConfig } from '../config/config.js';
import { withCliDatabase } from './cli-database.js';
import { Role } from '../domain/users/user.entity.js';
import { UserService } from '../domain/users/user.service.js';
import { UserException } from '../domain/users/users.errors.js';

const USAGE = 'Usage: npm run user:role -- <email> <USER|ADMIN>';

/** `npm run user:role -- <email> ADMIN`: changes a user's role; effective on their next request. */
async function main(argv: string[]): Promise<number> {
  const [email, roleArg] = argv;
  const role = Object.values(Role).find((r) => r === roleArg?.toUpperCase());
  if (!email || !role || argv.length !== 2) {
    console.error(USAGE);
    return 2;
  }
  try {
    const user = await withCliDatabase(loadConfig(), (orm) => new UserService().setRole(orm.em.fork(), email, role));
    console.log(`${user.email} is now ${user.role}`);
    return 0;
  } catch (err) {
    if (err instanceof UserException) {
      console.error(`No user with the email ${email}`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
