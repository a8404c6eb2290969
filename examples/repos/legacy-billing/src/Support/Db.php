<?php
namespace Acme\Billing\Support;

class Db
{
    public static function connect(array $cfg): \PDO
    {
        $dsn = sprintf('mysql:host=%s;dbname=%s;charset=utf8', $cfg['host'], $cfg['name']);
        $pdo = new \PDO($dsn, $cfg['user'], $cfg['password']);
        $pdo->setAttribute(\PDO::ATTR_ERRMODE, \PDO::ERRMODE_EXCEPTION);
        $pdo->setAttribute(\PDO::ATTR_DEFAULT_FETCH_MODE, \PDO::FETCH_ASSOC);
        return $pdo;
    }
}
