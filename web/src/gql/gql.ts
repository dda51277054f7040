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
    "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) {\n      ...SessionFields\n    }\n  }\n": typeof types.RefreshDocument,
    "\n  mutation LogOut {\n    logOut {\n      revoked\n    }\n  }\n": typeof types.LogOutDocument,
    "\n  fragment MoneyFields on Money {\n    amount\n    currency\n  }\n": typeof types.MoneyFieldsFragmentDoc,
    "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    pendingDebits {\n      ...MoneyFields\n    }\n  }\n": typeof types.WalletFieldsFragmentDoc,
    "\n  query Currencies {\n    currencies {\n      code\n      exponent\n      name\n      symbol\n    }\n  }\n": typeof types.CurrenciesDocument,
    "\n  query Wallets {\n    me {\n      id\n      email\n      fullName\n      emailVerified\n      wallets {\n        ...WalletFields\n      }\n    }\n  }\n": typeof types.WalletsDocument,
    "\n  subscription BalanceUpdated {\n    balanceUpdated {\n      ...WalletFields\n    }\n  }\n": typeof types.BalanceUpdatedDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      email\n      fullName\n    }\n  }\n": typeof types.SessionFieldsFragmentDoc,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(input: { token: $token }) {\n      email\n      emailChanged\n      user {\n        id\n        email\n        emailVerified\n      }\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.LogInDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation ForgotPasswordScreenRequest($email: String!) {\n    requestPasswordReset(input: { email: $email }) {\n      accepted\n    }\n  }\n": typeof types.ForgotPasswordScreenRequestDocument,
    "\n  mutation ResetPasswordScreenReset($token: String!, $newPassword: String!) {\n    resetPassword(input: { token: $token, newPassword: $newPassword }) {\n      revokedSessions\n    }\n  }\n": typeof types.ResetPasswordScreenResetDocument,
    "\n  query CardsDetail($id: ID!) {\n    card(id: $id) {\n      ...CardsCardFields\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n": typeof types.CardsDetailDocument,
    "\n  subscription CardsUpdated($cardId: ID!) {\n    cardUpdated(cardId: $cardId) {\n      ...CardsCardFields\n    }\n  }\n": typeof types.CardsUpdatedDocument,
    "\n  query CardsActivity($id: ID!) {\n    card(id: $id) {\n      id\n      transactions(first: 10) {\n        edges {\n          node {\n            id\n            type\n            direction\n            status\n            description\n            failureReason\n            createdAt\n            amount {\n              ...MoneyFields\n            }\n            merchant {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.CardsActivityDocument,
    "\n  subscription CardsTransactionUpdated {\n    transactionUpdated {\n      id\n      status\n      card {\n        id\n      }\n    }\n  }\n": typeof types.CardsTransactionUpdatedDocument,
    "\n  fragment CardsMoneyMoved on CardMoneyPayload {\n    card {\n      ...CardsCardFields\n    }\n    wallet {\n      ...WalletFields\n    }\n    transaction {\n      id\n    }\n  }\n": typeof types.CardsMoneyMovedFragmentDoc,
    "\n  mutation CardsFund($input: CardAmountInput!) {\n    fundCard(input: $input) {\n      ...CardsMoneyMoved\n    }\n  }\n": typeof types.CardsFundDocument,
    "\n  mutation CardsUnload($input: CardAmountInput!) {\n    withdrawFromCard(input: $input) {\n      ...CardsMoneyMoved\n    }\n  }\n": typeof types.CardsUnloadDocument,
    "\n  mutation CardsFreeze($cardId: ID!) {\n    freezeCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n": typeof types.CardsFreezeDocument,
    "\n  mutation CardsUnfreeze($cardId: ID!) {\n    unfreezeCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n": typeof types.CardsUnfreezeDocument,
    "\n  mutation CardsTerminate($cardId: ID!) {\n    terminateCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n": typeof types.CardsTerminateDocument,
    "\n  mutation CardsSetLimit($input: SetCardSpendingLimitInput!) {\n    setCardSpendingLimit(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n": typeof types.CardsSetLimitDocument,
    "\n  mutation CardsReveal($cardId: ID!) {\n    revealCard(input: { cardId: $cardId }) {\n      url\n      expiresAt\n    }\n  }\n": typeof types.CardsRevealDocument,
    "\n  mutation CardsSimulatePurchase($input: SimulateCardPurchaseInput!) {\n    simulateCardPurchase(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n      transaction {\n        id\n        status\n        failureReason\n        amount {\n          ...MoneyFields\n        }\n        merchant {\n          name\n        }\n      }\n    }\n  }\n": typeof types.CardsSimulatePurchaseDocument,
    "\n  fragment CardsCardFields on Card {\n    id\n    label\n    brand\n    last4\n    expMonth\n    expYear\n    status\n    provider\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    spendingLimit {\n      amount\n      interval\n    }\n    wallet {\n      id\n      currency\n    }\n  }\n": typeof types.CardsCardFieldsFragmentDoc,
    "\n  query CardsList {\n    me {\n      id\n      wallets {\n        ...WalletFields\n      }\n      cards {\n        ...CardsCardFields\n      }\n    }\n  }\n": typeof types.CardsListDocument,
    "\n  mutation CardsCreate($input: CreateCardInput!) {\n    createCard(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n        cards {\n          ...CardsCardFields\n        }\n      }\n    }\n  }\n": typeof types.CardsCreateDocument,
    "\n  mutation DepositScreenStart($input: DepositInput!) {\n    deposit(input: $input) {\n      checkoutUrl\n      transaction {\n        id\n        status\n      }\n    }\n  }\n": typeof types.DepositScreenStartDocument,
    "\n  query HistoryTransactions($first: Int!, $after: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, filter: $filter) {\n      edges {\n        node {\n          ...HistoryTransactionFields\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n": typeof types.HistoryTransactionsDocument,
    "\n  query HistoryFilterOptions {\n    me {\n      id\n      wallets {\n        id\n        currency\n      }\n      cards {\n        id\n        label\n        last4\n        status\n      }\n    }\n  }\n": typeof types.HistoryFilterOptionsDocument,
    "\n  query HistoryTransactionDetail($id: ID!) {\n    transaction(id: $id) {\n      ...HistoryTransactionFields\n    }\n  }\n": typeof types.HistoryTransactionDetailDocument,
    "\n  fragment HistoryTransactionFields on Transaction {\n    id\n    type\n    status\n    direction\n    createdAt\n    updatedAt\n    reference\n    description\n    failureReason\n    amount {\n      ...MoneyFields\n    }\n    counterparty {\n      id\n      fullName\n    }\n    merchant {\n      name\n      category\n      country\n    }\n    wallet {\n      id\n      currency\n    }\n    card {\n      id\n      label\n      last4\n      brand\n    }\n  }\n": typeof types.HistoryTransactionFieldsFragmentDoc,
    "\n  subscription HistoryTransactionUpdated {\n    transactionUpdated {\n      ...HistoryTransactionFields\n    }\n  }\n": typeof types.HistoryTransactionUpdatedDocument,
    "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet {\n        id\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n": typeof types.CreateWalletDocument,
    "\n  query SendScreenRecipient($email: String!) {\n    recipient(email: $email) {\n      id\n      fullName\n    }\n  }\n": typeof types.SendScreenRecipientDocument,
    "\n  mutation SendScreenTransfer($input: TransferInput!) {\n    transfer(input: $input) {\n      transaction {\n        id\n        status\n        amount {\n          ...MoneyFields\n        }\n        counterparty {\n          id\n          fullName\n        }\n      }\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n": typeof types.SendScreenTransferDocument,
    "\n  query SettingsScreenAccount {\n    me {\n      id\n      email\n      fullName\n      emailVerified\n    }\n  }\n": typeof types.SettingsScreenAccountDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      revokedSessions\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation SettingsScreenResend {\n    resendVerificationEmail {\n      email\n    }\n  }\n": typeof types.SettingsScreenResendDocument,
    "\n  mutation SettingsScreenChangeEmail($input: ChangeEmailInput!) {\n    changeEmail(input: $input) {\n      pendingEmail\n      user {\n        id\n        email\n        emailVerified\n      }\n    }\n  }\n": typeof types.SettingsScreenChangeEmailDocument,
    "\n  query WithdrawScreenBanks($currency: Currency!) {\n    banks(currency: $currency) {\n      code\n      name\n      currency\n    }\n  }\n": typeof types.WithdrawScreenBanksDocument,
    "\n  query WithdrawScreenAccount($bankCode: String!, $accountNumber: String!) {\n    resolveBankAccount(bankCode: $bankCode, accountNumber: $accountNumber) {\n      accountName\n      accountNumber\n      bankCode\n    }\n  }\n": typeof types.WithdrawScreenAccountDocument,
    "\n  mutation WithdrawScreenWithdraw($input: WithdrawInput!) {\n    withdraw(input: $input) {\n      transaction {\n        id\n        status\n        amount {\n          ...MoneyFields\n        }\n      }\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n": typeof types.WithdrawScreenWithdrawDocument,
};
const documents: Documents = {
    "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) {\n      ...SessionFields\n    }\n  }\n": types.RefreshDocument,
    "\n  mutation LogOut {\n    logOut {\n      revoked\n    }\n  }\n": types.LogOutDocument,
    "\n  fragment MoneyFields on Money {\n    amount\n    currency\n  }\n": types.MoneyFieldsFragmentDoc,
    "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    pendingDebits {\n      ...MoneyFields\n    }\n  }\n": types.WalletFieldsFragmentDoc,
    "\n  query Currencies {\n    currencies {\n      code\n      exponent\n      name\n      symbol\n    }\n  }\n": types.CurrenciesDocument,
    "\n  query Wallets {\n    me {\n      id\n      email\n      fullName\n      emailVerified\n      wallets {\n        ...WalletFields\n      }\n    }\n  }\n": types.WalletsDocument,
    "\n  subscription BalanceUpdated {\n    balanceUpdated {\n      ...WalletFields\n    }\n  }\n": types.BalanceUpdatedDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresAt\n    user {\n      id\n      email\n      fullName\n    }\n  }\n": types.SessionFieldsFragmentDoc,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(input: { token: $token }) {\n      email\n      emailChanged\n      user {\n        id\n        email\n        emailVerified\n      }\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.LogInDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation ForgotPasswordScreenRequest($email: String!) {\n    requestPasswordReset(input: { email: $email }) {\n      accepted\n    }\n  }\n": types.ForgotPasswordScreenRequestDocument,
    "\n  mutation ResetPasswordScreenReset($token: String!, $newPassword: String!) {\n    resetPassword(input: { token: $token, newPassword: $newPassword }) {\n      revokedSessions\n    }\n  }\n": types.ResetPasswordScreenResetDocument,
    "\n  query CardsDetail($id: ID!) {\n    card(id: $id) {\n      ...CardsCardFields\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n": types.CardsDetailDocument,
    "\n  subscription CardsUpdated($cardId: ID!) {\n    cardUpdated(cardId: $cardId) {\n      ...CardsCardFields\n    }\n  }\n": types.CardsUpdatedDocument,
    "\n  query CardsActivity($id: ID!) {\n    card(id: $id) {\n      id\n      transactions(first: 10) {\n        edges {\n          node {\n            id\n            type\n            direction\n            status\n            description\n            failureReason\n            createdAt\n            amount {\n              ...MoneyFields\n            }\n            merchant {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.CardsActivityDocument,
    "\n  subscription CardsTransactionUpdated {\n    transactionUpdated {\n      id\n      status\n      card {\n        id\n      }\n    }\n  }\n": types.CardsTransactionUpdatedDocument,
    "\n  fragment CardsMoneyMoved on CardMoneyPayload {\n    card {\n      ...CardsCardFields\n    }\n    wallet {\n      ...WalletFields\n    }\n    transaction {\n      id\n    }\n  }\n": types.CardsMoneyMovedFragmentDoc,
    "\n  mutation CardsFund($input: CardAmountInput!) {\n    fundCard(input: $input) {\n      ...CardsMoneyMoved\n    }\n  }\n": types.CardsFundDocument,
    "\n  mutation CardsUnload($input: CardAmountInput!) {\n    withdrawFromCard(input: $input) {\n      ...CardsMoneyMoved\n    }\n  }\n": types.CardsUnloadDocument,
    "\n  mutation CardsFreeze($cardId: ID!) {\n    freezeCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n": types.CardsFreezeDocument,
    "\n  mutation CardsUnfreeze($cardId: ID!) {\n    unfreezeCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n": types.CardsUnfreezeDocument,
    "\n  mutation CardsTerminate($cardId: ID!) {\n    terminateCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n": types.CardsTerminateDocument,
    "\n  mutation CardsSetLimit($input: SetCardSpendingLimitInput!) {\n    setCardSpendingLimit(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n": types.CardsSetLimitDocument,
    "\n  mutation CardsReveal($cardId: ID!) {\n    revealCard(input: { cardId: $cardId }) {\n      url\n      expiresAt\n    }\n  }\n": types.CardsRevealDocument,
    "\n  mutation CardsSimulatePurchase($input: SimulateCardPurchaseInput!) {\n    simulateCardPurchase(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n      transaction {\n        id\n        status\n        failureReason\n        amount {\n          ...MoneyFields\n        }\n        merchant {\n          name\n        }\n      }\n    }\n  }\n": types.CardsSimulatePurchaseDocument,
    "\n  fragment CardsCardFields on Card {\n    id\n    label\n    brand\n    last4\n    expMonth\n    expYear\n    status\n    provider\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    spendingLimit {\n      amount\n      interval\n    }\n    wallet {\n      id\n      currency\n    }\n  }\n": types.CardsCardFieldsFragmentDoc,
    "\n  query CardsList {\n    me {\n      id\n      wallets {\n        ...WalletFields\n      }\n      cards {\n        ...CardsCardFields\n      }\n    }\n  }\n": types.CardsListDocument,
    "\n  mutation CardsCreate($input: CreateCardInput!) {\n    createCard(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n        cards {\n          ...CardsCardFields\n        }\n      }\n    }\n  }\n": types.CardsCreateDocument,
    "\n  mutation DepositScreenStart($input: DepositInput!) {\n    deposit(input: $input) {\n      checkoutUrl\n      transaction {\n        id\n        status\n      }\n    }\n  }\n": types.DepositScreenStartDocument,
    "\n  query HistoryTransactions($first: Int!, $after: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, filter: $filter) {\n      edges {\n        node {\n          ...HistoryTransactionFields\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n": types.HistoryTransactionsDocument,
    "\n  query HistoryFilterOptions {\n    me {\n      id\n      wallets {\n        id\n        currency\n      }\n      cards {\n        id\n        label\n        last4\n        status\n      }\n    }\n  }\n": types.HistoryFilterOptionsDocument,
    "\n  query HistoryTransactionDetail($id: ID!) {\n    transaction(id: $id) {\n      ...HistoryTransactionFields\n    }\n  }\n": types.HistoryTransactionDetailDocument,
    "\n  fragment HistoryTransactionFields on Transaction {\n    id\n    type\n    status\n    direction\n    createdAt\n    updatedAt\n    reference\n    description\n    failureReason\n    amount {\n      ...MoneyFields\n    }\n    counterparty {\n      id\n      fullName\n    }\n    merchant {\n      name\n      category\n      country\n    }\n    wallet {\n      id\n      currency\n    }\n    card {\n      id\n      label\n      last4\n      brand\n    }\n  }\n": types.HistoryTransactionFieldsFragmentDoc,
    "\n  subscription HistoryTransactionUpdated {\n    transactionUpdated {\n      ...HistoryTransactionFields\n    }\n  }\n": types.HistoryTransactionUpdatedDocument,
    "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet {\n        id\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n": types.CreateWalletDocument,
    "\n  query SendScreenRecipient($email: String!) {\n    recipient(email: $email) {\n      id\n      fullName\n    }\n  }\n": types.SendScreenRecipientDocument,
    "\n  mutation SendScreenTransfer($input: TransferInput!) {\n    transfer(input: $input) {\n      transaction {\n        id\n        status\n        amount {\n          ...MoneyFields\n        }\n        counterparty {\n          id\n          fullName\n        }\n      }\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n": types.SendScreenTransferDocument,
    "\n  query SettingsScreenAccount {\n    me {\n      id\n      email\n      fullName\n      emailVerified\n    }\n  }\n": types.SettingsScreenAccountDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      revokedSessions\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation SettingsScreenResend {\n    resendVerificationEmail {\n      email\n    }\n  }\n": types.SettingsScreenResendDocument,
    "\n  mutation SettingsScreenChangeEmail($input: ChangeEmailInput!) {\n    changeEmail(input: $input) {\n      pendingEmail\n      user {\n        id\n        email\n        emailVerified\n      }\n    }\n  }\n": types.SettingsScreenChangeEmailDocument,
    "\n  query WithdrawScreenBanks($currency: Currency!) {\n    banks(currency: $currency) {\n      code\n      name\n      currency\n    }\n  }\n": types.WithdrawScreenBanksDocument,
    "\n  query WithdrawScreenAccount($bankCode: String!, $accountNumber: String!) {\n    resolveBankAccount(bankCode: $bankCode, accountNumber: $accountNumber) {\n      accountName\n      accountNumber\n      bankCode\n    }\n  }\n": types.WithdrawScreenAccountDocument,
    "\n  mutation WithdrawScreenWithdraw($input: WithdrawInput!) {\n    withdraw(input: $input) {\n      transaction {\n        id\n        status\n        amount {\n          ...MoneyFields\n        }\n      }\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n": types.WithdrawScreenWithdrawDocument,
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
export function graphql(source: "\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation Refresh($refreshToken: String!) {\n    refreshToken(input: { refreshToken: $refreshToken }) {\n      ...SessionFields\n    }\n  }\n"];
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
export function graphql(source: "\n  query Wallets {\n    me {\n      id\n      email\n      fullName\n      emailVerified\n      wallets {\n        ...WalletFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Wallets {\n    me {\n      id\n      email\n      fullName\n      emailVerified\n      wallets {\n        ...WalletFields\n      }\n    }\n  }\n"];
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
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(input: { token: $token }) {\n      email\n      emailChanged\n      user {\n        id\n        email\n        emailVerified\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(input: { token: $token }) {\n      email\n      emailChanged\n      user {\n        id\n        email\n        emailVerified\n      }\n    }\n  }\n"];
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
export function graphql(source: "\n  mutation ForgotPasswordScreenRequest($email: String!) {\n    requestPasswordReset(input: { email: $email }) {\n      accepted\n    }\n  }\n"): (typeof documents)["\n  mutation ForgotPasswordScreenRequest($email: String!) {\n    requestPasswordReset(input: { email: $email }) {\n      accepted\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPasswordScreenReset($token: String!, $newPassword: String!) {\n    resetPassword(input: { token: $token, newPassword: $newPassword }) {\n      revokedSessions\n    }\n  }\n"): (typeof documents)["\n  mutation ResetPasswordScreenReset($token: String!, $newPassword: String!) {\n    resetPassword(input: { token: $token, newPassword: $newPassword }) {\n      revokedSessions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CardsDetail($id: ID!) {\n    card(id: $id) {\n      ...CardsCardFields\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query CardsDetail($id: ID!) {\n    card(id: $id) {\n      ...CardsCardFields\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CardsUpdated($cardId: ID!) {\n    cardUpdated(cardId: $cardId) {\n      ...CardsCardFields\n    }\n  }\n"): (typeof documents)["\n  subscription CardsUpdated($cardId: ID!) {\n    cardUpdated(cardId: $cardId) {\n      ...CardsCardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CardsActivity($id: ID!) {\n    card(id: $id) {\n      id\n      transactions(first: 10) {\n        edges {\n          node {\n            id\n            type\n            direction\n            status\n            description\n            failureReason\n            createdAt\n            amount {\n              ...MoneyFields\n            }\n            merchant {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CardsActivity($id: ID!) {\n    card(id: $id) {\n      id\n      transactions(first: 10) {\n        edges {\n          node {\n            id\n            type\n            direction\n            status\n            description\n            failureReason\n            createdAt\n            amount {\n              ...MoneyFields\n            }\n            merchant {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CardsTransactionUpdated {\n    transactionUpdated {\n      id\n      status\n      card {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CardsTransactionUpdated {\n    transactionUpdated {\n      id\n      status\n      card {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CardsMoneyMoved on CardMoneyPayload {\n    card {\n      ...CardsCardFields\n    }\n    wallet {\n      ...WalletFields\n    }\n    transaction {\n      id\n    }\n  }\n"): (typeof documents)["\n  fragment CardsMoneyMoved on CardMoneyPayload {\n    card {\n      ...CardsCardFields\n    }\n    wallet {\n      ...WalletFields\n    }\n    transaction {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsFund($input: CardAmountInput!) {\n    fundCard(input: $input) {\n      ...CardsMoneyMoved\n    }\n  }\n"): (typeof documents)["\n  mutation CardsFund($input: CardAmountInput!) {\n    fundCard(input: $input) {\n      ...CardsMoneyMoved\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsUnload($input: CardAmountInput!) {\n    withdrawFromCard(input: $input) {\n      ...CardsMoneyMoved\n    }\n  }\n"): (typeof documents)["\n  mutation CardsUnload($input: CardAmountInput!) {\n    withdrawFromCard(input: $input) {\n      ...CardsMoneyMoved\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsFreeze($cardId: ID!) {\n    freezeCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CardsFreeze($cardId: ID!) {\n    freezeCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsUnfreeze($cardId: ID!) {\n    unfreezeCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CardsUnfreeze($cardId: ID!) {\n    unfreezeCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsTerminate($cardId: ID!) {\n    terminateCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CardsTerminate($cardId: ID!) {\n    terminateCard(input: { cardId: $cardId }) {\n      card {\n        ...CardsCardFields\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsSetLimit($input: SetCardSpendingLimitInput!) {\n    setCardSpendingLimit(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CardsSetLimit($input: SetCardSpendingLimitInput!) {\n    setCardSpendingLimit(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsReveal($cardId: ID!) {\n    revealCard(input: { cardId: $cardId }) {\n      url\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation CardsReveal($cardId: ID!) {\n    revealCard(input: { cardId: $cardId }) {\n      url\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsSimulatePurchase($input: SimulateCardPurchaseInput!) {\n    simulateCardPurchase(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n      transaction {\n        id\n        status\n        failureReason\n        amount {\n          ...MoneyFields\n        }\n        merchant {\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CardsSimulatePurchase($input: SimulateCardPurchaseInput!) {\n    simulateCardPurchase(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n      transaction {\n        id\n        status\n        failureReason\n        amount {\n          ...MoneyFields\n        }\n        merchant {\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CardsCardFields on Card {\n    id\n    label\n    brand\n    last4\n    expMonth\n    expYear\n    status\n    provider\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    spendingLimit {\n      amount\n      interval\n    }\n    wallet {\n      id\n      currency\n    }\n  }\n"): (typeof documents)["\n  fragment CardsCardFields on Card {\n    id\n    label\n    brand\n    last4\n    expMonth\n    expYear\n    status\n    provider\n    currency\n    version\n    updatedAt\n    balance {\n      ...MoneyFields\n    }\n    availableBalance {\n      ...MoneyFields\n    }\n    spendingLimit {\n      amount\n      interval\n    }\n    wallet {\n      id\n      currency\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CardsList {\n    me {\n      id\n      wallets {\n        ...WalletFields\n      }\n      cards {\n        ...CardsCardFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query CardsList {\n    me {\n      id\n      wallets {\n        ...WalletFields\n      }\n      cards {\n        ...CardsCardFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CardsCreate($input: CreateCardInput!) {\n    createCard(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n        cards {\n          ...CardsCardFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CardsCreate($input: CreateCardInput!) {\n    createCard(input: $input) {\n      card {\n        ...CardsCardFields\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n        cards {\n          ...CardsCardFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DepositScreenStart($input: DepositInput!) {\n    deposit(input: $input) {\n      checkoutUrl\n      transaction {\n        id\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DepositScreenStart($input: DepositInput!) {\n    deposit(input: $input) {\n      checkoutUrl\n      transaction {\n        id\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HistoryTransactions($first: Int!, $after: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, filter: $filter) {\n      edges {\n        node {\n          ...HistoryTransactionFields\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query HistoryTransactions($first: Int!, $after: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, filter: $filter) {\n      edges {\n        node {\n          ...HistoryTransactionFields\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HistoryFilterOptions {\n    me {\n      id\n      wallets {\n        id\n        currency\n      }\n      cards {\n        id\n        label\n        last4\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query HistoryFilterOptions {\n    me {\n      id\n      wallets {\n        id\n        currency\n      }\n      cards {\n        id\n        label\n        last4\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HistoryTransactionDetail($id: ID!) {\n    transaction(id: $id) {\n      ...HistoryTransactionFields\n    }\n  }\n"): (typeof documents)["\n  query HistoryTransactionDetail($id: ID!) {\n    transaction(id: $id) {\n      ...HistoryTransactionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HistoryTransactionFields on Transaction {\n    id\n    type\n    status\n    direction\n    createdAt\n    updatedAt\n    reference\n    description\n    failureReason\n    amount {\n      ...MoneyFields\n    }\n    counterparty {\n      id\n      fullName\n    }\n    merchant {\n      name\n      category\n      country\n    }\n    wallet {\n      id\n      currency\n    }\n    card {\n      id\n      label\n      last4\n      brand\n    }\n  }\n"): (typeof documents)["\n  fragment HistoryTransactionFields on Transaction {\n    id\n    type\n    status\n    direction\n    createdAt\n    updatedAt\n    reference\n    description\n    failureReason\n    amount {\n      ...MoneyFields\n    }\n    counterparty {\n      id\n      fullName\n    }\n    merchant {\n      name\n      category\n      country\n    }\n    wallet {\n      id\n      currency\n    }\n    card {\n      id\n      label\n      last4\n      brand\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HistoryTransactionUpdated {\n    transactionUpdated {\n      ...HistoryTransactionFields\n    }\n  }\n"): (typeof documents)["\n  subscription HistoryTransactionUpdated {\n    transactionUpdated {\n      ...HistoryTransactionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet {\n        id\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWallet($currency: Currency!) {\n    createWallet(input: { currency: $currency }) {\n      wallet {\n        id\n      }\n      viewer {\n        id\n        wallets {\n          ...WalletFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SendScreenRecipient($email: String!) {\n    recipient(email: $email) {\n      id\n      fullName\n    }\n  }\n"): (typeof documents)["\n  query SendScreenRecipient($email: String!) {\n    recipient(email: $email) {\n      id\n      fullName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendScreenTransfer($input: TransferInput!) {\n    transfer(input: $input) {\n      transaction {\n        id\n        status\n        amount {\n          ...MoneyFields\n        }\n        counterparty {\n          id\n          fullName\n        }\n      }\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SendScreenTransfer($input: TransferInput!) {\n    transfer(input: $input) {\n      transaction {\n        id\n        status\n        amount {\n          ...MoneyFields\n        }\n        counterparty {\n          id\n          fullName\n        }\n      }\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SettingsScreenAccount {\n    me {\n      id\n      email\n      fullName\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  query SettingsScreenAccount {\n    me {\n      id\n      email\n      fullName\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      revokedSessions\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      revokedSessions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SettingsScreenResend {\n    resendVerificationEmail {\n      email\n    }\n  }\n"): (typeof documents)["\n  mutation SettingsScreenResend {\n    resendVerificationEmail {\n      email\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SettingsScreenChangeEmail($input: ChangeEmailInput!) {\n    changeEmail(input: $input) {\n      pendingEmail\n      user {\n        id\n        email\n        emailVerified\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SettingsScreenChangeEmail($input: ChangeEmailInput!) {\n    changeEmail(input: $input) {\n      pendingEmail\n      user {\n        id\n        email\n        emailVerified\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WithdrawScreenBanks($currency: Currency!) {\n    banks(currency: $currency) {\n      code\n      name\n      currency\n    }\n  }\n"): (typeof documents)["\n  query WithdrawScreenBanks($currency: Currency!) {\n    banks(currency: $currency) {\n      code\n      name\n      currency\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WithdrawScreenAccount($bankCode: String!, $accountNumber: String!) {\n    resolveBankAccount(bankCode: $bankCode, accountNumber: $accountNumber) {\n      accountName\n      accountNumber\n      bankCode\n    }\n  }\n"): (typeof documents)["\n  query WithdrawScreenAccount($bankCode: String!, $accountNumber: String!) {\n    resolveBankAccount(bankCode: $bankCode, accountNumber: $accountNumber) {\n      accountName\n      accountNumber\n      bankCode\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WithdrawScreenWithdraw($input: WithdrawInput!) {\n    withdraw(input: $input) {\n      transaction {\n        id\n        status\n        amount {\n          ...MoneyFields\n        }\n      }\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation WithdrawScreenWithdraw($input: WithdrawInput!) {\n    withdraw(input: $input) {\n      transaction {\n        id\n        status\n        amount {\n          ...MoneyFields\n        }\n      }\n      wallet {\n        ...WalletFields\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;