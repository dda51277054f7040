/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) {\n      accessToken\n      refreshToken\n      expiresAt\n      user {\n        id\n        email\n        fullName\n      }\n    }\n  }\n": typeof types.RefreshDocument,
    "\n  mutation LogOut {\n    logOut {\n      revoked\n    }\n  }\n": typeof types.LogOutDocument,
    "\n  fragment MoneyFields on Money {\n    amount\n    currency\n  }\n": typeof types.MoneyFieldsFragmentDoc,
    "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    pendingDebits {\n      ...MoneyFields\n    }\n  }\n": typeof types.WalletFieldsFragmentDoc,
    "\n  query Currencies {\n    currencies {\n      code\n      exponent\n      name\n      symbol\n    }\n  }\n": typeof types.CurrenciesDocument,
    "\n  query Wallets {\n    me {\n      id\n      email\n      fullName\n      wallets {\n        ...WalletFields\n      }\n    }\n  }\n": typeof types.WalletsDocument,
    "\n  subscription BalanceUpdated {\n    balanceUpdated {\n      ...WalletFields\n    }\n  }\n": typeof types.BalanceUpdatedDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      email\n      fullName\n    }\n  }\n": typeof types.SessionFieldsFragmentDoc,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.LogInDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet {\n        id\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n": typeof types.CreateWalletDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      revokedSessions\n    }\n  }\n": typeof types.ChangePasswordDocument,
};
const documents: Documents = {
    "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) {\n      accessToken\n      refreshToken\n      expiresAt\n      user {\n        id\n        email\n        fullName\n      }\n    }\n  }\n": types.RefreshDocument,
    "\n  mutation LogOut {\n    logOut {\n      revoked\n    }\n  }\n": types.LogOutDocument,
    "\n  fragment MoneyFields on Money {\n    amount\n    currency\n  }\n": types.MoneyFieldsFragmentDoc,
    "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    pendingDebits {\n      ...MoneyFields\n    }\n  }\n": types.WalletFieldsFragmentDoc,
    "\n  query Currencies {\n    currencies {\n      code\n      exponent\n      name\n      symbol\n    }\n  }\n": types.CurrenciesDocument,
    "\n  query Wallets {\n    me {\n      id\n      email\n      fullName\n      wallets {\n        ...WalletFields\n      }\n    }\n  }\n": types.WalletsDocument,
    "\n  subscription BalanceUpdated {\n    balanceUpdated {\n      ...WalletFields\n    }\n  }\n": types.BalanceUpdatedDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      email\n      fullName\n    }\n  }\n": types.SessionFieldsFragmentDoc,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.LogInDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet {\n        id\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n": types.CreateWalletDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      revokedSessions\n    }\n  }\n": types.ChangePasswordDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) {\n      accessToken\n      refreshToken\n      expiresAt\n      user {\n        id\n        email\n        fullName\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) {\n      accessToken\n      refreshToken\n      expiresAt\n      user {\n        id\n        email\n        fullName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut {\n    logOut {\n      revoked\n    }\n  }\n"): (typeof documents)["\n  mutation LogOut {\n    logOut {\n      revoked\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MoneyFields on Money {\n    amount\n    currency\n  }\n"): (typeof documents)["\n  fragment MoneyFields on Money {\n    amount\n    currency\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    pendingDebits {\n      ...MoneyFields\n    }\n  }\n"): (typeof documents)["\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    pendingDebits {\n      ...MoneyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Currencies {\n    currencies {\n      code\n      exponent\n      name\n      symbol\n    }\n  }\n"): (typeof documents)["\n  query Currencies {\n    currencies {\n      code\n      exponent\n      name\n      symbol\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Wallets {\n    me {\n      id\n      email\n      fullName\n      wallets {\n        ...WalletFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Wallets {\n    me {\n      id\n      email\n      fullName\n      wallets {\n        ...WalletFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BalanceUpdated {\n    balanceUpdated {\n      ...WalletFields\n    }\n  }\n"): (typeof documents)["\n  subscription BalanceUpdated {\n    balanceUpdated {\n      ...WalletFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      email\n      fullName\n    }\n  }\n"): (typeof documents)["\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      email\n      fullName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet {\n        id\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet {\n        id\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      revokedSessions\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      revokedSessions\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;