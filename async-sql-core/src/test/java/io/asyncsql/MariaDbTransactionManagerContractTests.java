package io.asyncsql;

/**
 * {@link TransactionManagerContractTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbTransactionManagerContractTests extends TransactionManagerContractTests {

	MariaDbTransactionManagerContractTests() {
		super(TestDatabase.MARIADB);
	}

}
