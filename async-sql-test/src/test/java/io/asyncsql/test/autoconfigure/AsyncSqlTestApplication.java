package io.asyncsql.test.autoconfigure;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application the slice's tests find, as a real test would find its application.
 */
@SpringBootApplication
class AsyncSqlTestApplication {

}
