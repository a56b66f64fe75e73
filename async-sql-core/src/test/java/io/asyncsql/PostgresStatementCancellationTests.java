package io.asyncsql;

/**
 * {@link StatementCancellationTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresStatementCancellationTests extends StatementCancellationTests {

	PostgresStatementCancellationTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
