import type { EntityManager } from '@mikro-orm/postgresql';
import { Role, User } from './user.entity.js';
import { UserError, UserException } from './users.errors.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trimmed and lower-cased, or null when it is not an email address. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) ? email : null;
}

export class UserService {
  /** Users by id in one query, aligned to `ids` (null for a miss): a DataLoader batch. */
  async findByIds(em: EntityManager, ids: readonly string[]): Promise<(User | null)[]> {
    const users = await em.find(User, { id: { $in: [...ids] } });
    const byId = new Map(users.map((u) => [u.id, u]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async findByEmail(em: EntityManager, email: string): Promise<User | null> {
    const normalized = normalizeEmail(email);
    return normalized ? em.findOne(User, { email: normalized }) : null;
  }

  async setRole(em: EntityManager, email: string, role: Role): Promise<User> {
    const user = await this.findByEmail(em, email);
    if (!user) throw new UserException(UserError.UserNotFound);
    user.role = role;
    await em.flush();
    return user;
  }
}
