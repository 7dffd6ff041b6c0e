/**
 * Express 4, installed under the alias package name `express4` (Express 5 is `express`). Its
 * API used by the tests (`express()`, `use`, `get`, `listen`, `urlencoded`) is typed like
 * Express 5's, whose types are installed.
 */
declare module 'express4' {
  import express from 'express';
  export = express;
}
