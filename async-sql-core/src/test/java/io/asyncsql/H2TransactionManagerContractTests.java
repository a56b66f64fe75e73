package io.asyncsql;

/**
 * {@link TransactionManagerContractTests} on {@link TestDatabase#H2}.
 */
class H2TransactionManagerContractTests extends TransactionManagerContractTests {

	H2TransactionManagerContractTests() {
		super(TestDatabase.H2);
	}

}
