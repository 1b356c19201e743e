//! The first accounts: demo accounts in demo mode, otherwise the first administrator.
use crate::config::ServerConfig;
use anyhow::{Context, bail};
use domain::{Db, auth, sites, users};
use model::{Role, rules};
use std::io::{BufRead, Write};

/// A demo account: username, name, role, site code.
pub const DEMO_ACCOUNTS: [(&str, &str, Role, &str); 7] = [
    ("admin", "系统管理员 Admin", Role::Admin, "HUB"),
    ("zhou.min", "周敏 Zhou Min", Role::Coordinator, "HUB"),
    ("chen.jing", "陈静 Chen Jing", Role::Expert, "HUB"),
    ("wang.lei", "王磊 Wang Lei", Role::Expert, "HUB"),
    ("li.na", "李娜 Li Na", Role::Learner, "DH"),
    ("zhang.wei", "张伟 Zhang Wei", Role::Learner, "XC"),
    ("liu.yang", "刘洋 Liu Yang", Role::Learner, "NM"),
];

/// The password every demo account gets (demo mode only; printed at start).
pub const DEMO_PASSWORD: &str = "sonohub-demo";

/// Creates demo accounts (demo mode) or the first admin (empty database), as configured.
pub async fn first_accounts(db: &Db, config: &ServerConfig) -> anyhow::Result<()> {
    if config.demo {
        return demo_accounts(db).await;
    }
    if users::count(db).await? > 0 {
        return Ok(());
    }
    let (username, password) = match &config.first_admin {
        Some(pair) => pair.clone(),
        None if config.interactive => ask_for_admin()?,
        None => bail!(
            "the database has no account yet: start once with --admin-username and \
             SONOHUB_ADMIN_PASSWORD (or from a terminal to be asked), or with --demo"
        ),
    };
    create_admin(db, &username, &password).await?;
    println!("Created the first administrator account '{username}'.");
    Ok(())
}

async fn create_admin(db: &Db, username: &str, password: &str) -> anyhow::Result<()> {
    let username = rules::username(username)
        .map_err(|r| anyhow::anyhow!("administrator username refused: {r:?}"))?;
    rules::password(password).map_err(|r| {
        anyhow::anyhow!(
            "administrator password refused: {r:?} (at least {} characters)",
            rules::PASSWORD_MIN
        )
    })?;
    let hub = sites::by_code(db, "HUB")
        .await?
        .context("the hub site is missing")?;
    let hash = auth::hash_password(password.to_string()).await?;
    users::insert(
        db,
        users::InsertUser {
            username: &username,
            display_name: "Administrator",
            role: Role::Admin,
            site_id: &hub.id,
            password_hash: &hash,
        },
    )
    .await?
    .context("that username is already taken")?;
    Ok(())
}

fn ask_for_admin() -> anyhow::Result<(String, String)> {
    println!("SonoHub has no account yet. Create the first administrator.");
    print!("Username: ");
    std::io::stdout().flush()?;
    let mut username = String::new();
    std::io::stdin().lock().read_line(&mut username)?;
    let password = rpassword::prompt_password("Password (at least 10 characters): ")?;
    let again = rpassword::prompt_password("Password again: ")?;
    if password != again {
        bail!("the two passwords differ");
    }
    Ok((username.trim().to_string(), password))
}

/// Ensures every demo account exists, and prints them with their password.
pub async fn demo_accounts(db: &Db) -> anyhow::Result<()> {
    let hash = auth::hash_password(DEMO_PASSWORD.to_string()).await?;
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    for (username, name, role, site_code) in DEMO_ACCOUNTS {
        let site = sites::by_code(db, site_code)
            .await?
            .with_context(|| format!("site {site_code} is missing"))?;
        users::insert(
            db,
            users::InsertUser {
                username,
                display_name: name,
                role,
                site_id: &site.id,
                password_hash: &hash,
            },
        )
        .await?;
        println!("  {username:<10} {:<12} {}", role.as_str(), site.name_en);
    }
    Ok(())
}
