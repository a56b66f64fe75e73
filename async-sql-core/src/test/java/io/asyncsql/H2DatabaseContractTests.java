package io.asyncsql;

/**
 * {@link DatabaseContractTests} on {@link TestDatabase#H2}.
 */
class H2DatabaseContractTests extends DatabaseContractTests {

	H2DatabaseContractTests() {
		super(TestDatabase.H2);
	}

}
