import { AuthSession } from './auth/session.entity.js';
import { RefreshToken } from './auth/refresh-token.entity.js';
import { Currency } from './currencies/currency.entity.js';
import { User } from './users/user.entity.js';

/** Every entity the ORM knows; listed, never discovered from the file system. */
export const entities = [User, AuthSession, RefreshToken, Currency];
