package io.asyncsql;

/**
 * {@link TransactionManagerContractTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresTransactionManagerContractTests extends TransactionManagerContractTests {

	PostgresTransactionManagerContractTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
