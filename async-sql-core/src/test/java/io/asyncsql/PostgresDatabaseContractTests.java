package io.asyncsql;

/**
 * {@link DatabaseContractTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresDatabaseContractTests extends DatabaseContractTests {

	PostgresDatabaseContractTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
