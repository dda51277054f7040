/* eslint-disable */
import * as types from './graphql.js';
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
    "\n  fragment MoneyFields on Money {\n    amount\n    currency\n    formatted\n  }\n": typeof types.MoneyFieldsFragmentDoc,
    "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    balance { ...MoneyFields }\n    availableBalance { ...MoneyFields }\n  }\n": typeof types.WalletFieldsFragmentDoc,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id email fullName }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) { accessToken refreshToken expiresAt }\n  }\n": typeof types.RefreshDocument,
    "\n  query Home($withCards: Boolean! = false) {\n    me {\n      id\n      fullName\n      wallets { ...WalletFields }\n      cards @include(if: $withCards) { id status last4 }\n    }\n  }\n": typeof types.HomeDocument,
    "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet { id }\n      viewer { id wallets { ...WalletFields } }\n    }\n  }\n": typeof types.CreateWalletDocument,
    "\n  mutation Transfer($input: TransferInput!) {\n    transfer(input: $input) {\n      transaction { id status amount { ...MoneyFields } }\n      wallet { ...WalletFields }\n    }\n  }\n": typeof types.TransferDocument,
    "\n  query History($first: Int, $after: String) {\n    transactions(first: $first, after: $after) {\n      edges { cursor node { id type direction status amount { ...MoneyFields } createdAt } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.HistoryDocument,
    "\n  subscription BalanceUpdated($walletId: ID) {\n    balanceUpdated(walletId: $walletId) { ...WalletFields }\n  }\n": typeof types.BalanceUpdatedDocument,
};
const documents: Documents = {
    "\n  fragment MoneyFields on Money {\n    amount\n    currency\n    formatted\n  }\n": types.MoneyFieldsFragmentDoc,
    "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    balance { ...MoneyFields }\n    availableBalance { ...MoneyFields }\n  }\n": types.WalletFieldsFragmentDoc,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id email fullName }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) { accessToken refreshToken expiresAt }\n  }\n": types.RefreshDocument,
    "\n  query Home($withCards: Boolean! = false) {\n    me {\n      id\n      fullName\n      wallets { ...WalletFields }\n      cards @include(if: $withCards) { id status last4 }\n    }\n  }\n": types.HomeDocument,
    "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet { id }\n      viewer { id wallets { ...WalletFields } }\n    }\n  }\n": types.CreateWalletDocument,
    "\n  mutation Transfer($input: TransferInput!) {\n    transfer(input: $input) {\n      transaction { id status amount { ...MoneyFields } }\n      wallet { ...WalletFields }\n    }\n  }\n": types.TransferDocument,
    "\n  query History($first: Int, $after: String) {\n    transactions(first: $first, after: $after) {\n      edges { cursor node { id type direction status amount { ...MoneyFields } createdAt } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.HistoryDocument,
    "\n  subscription BalanceUpdated($walletId: ID) {\n    balanceUpdated(walletId: $walletId) { ...WalletFields }\n  }\n": types.BalanceUpdatedDocument,
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
export function graphql(source: "\n  fragment MoneyFields on Money {\n    amount\n    currency\n    formatted\n  }\n"): (typeof documents)["\n  fragment MoneyFields on Money {\n    amount\n    currency\n    formatted\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    balance { ...MoneyFields }\n    availableBalance { ...MoneyFields }\n  }\n"): (typeof documents)["\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    balance { ...MoneyFields }\n    availableBalance { ...MoneyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id email fullName }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id email fullName }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) { accessToken refreshToken expiresAt }\n  }\n"): (typeof documents)["\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) { accessToken refreshToken expiresAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Home($withCards: Boolean! = false) {\n    me {\n      id\n      fullName\n      wallets { ...WalletFields }\n      cards @include(if: $withCards) { id status last4 }\n    }\n  }\n"): (typeof documents)["\n  query Home($withCards: Boolean! = false) {\n    me {\n      id\n      fullName\n      wallets { ...WalletFields }\n      cards @include(if: $withCards) { id status last4 }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet { id }\n      viewer { id wallets { ...WalletFields } }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet { id }\n      viewer { id wallets { ...WalletFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Transfer($input: TransferInput!) {\n    transfer(input: $input) {\n      transaction { id status amount { ...MoneyFields } }\n      wallet { ...WalletFields }\n    }\n  }\n"): (typeof documents)["\n  mutation Transfer($input: TransferInput!) {\n    transfer(input: $input) {\n      transaction { id status amount { ...MoneyFields } }\n      wallet { ...WalletFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query History($first: Int, $after: String) {\n    transactions(first: $first, after: $after) {\n      edges { cursor node { id type direction status amount { ...MoneyFields } createdAt } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query History($first: Int, $after: String) {\n    transactions(first: $first, after: $after) {\n      edges { cursor node { id type direction status amount { ...MoneyFields } createdAt } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BalanceUpdated($walletId: ID) {\n    balanceUpdated(walletId: $walletId) { ...WalletFields }\n  }\n"): (typeof documents)["\n  subscription BalanceUpdated($walletId: ID) {\n    balanceUpdated(walletId: $walletId) { ...WalletFields }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;