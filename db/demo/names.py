"""Given and family names per country: invented people with the names real registrations carry.

Per country: female given names, male given names, family names. A family name written
"Novák/Nováková" has a masculine and a feminine form (Czech, Slovak, Polish, Baltic, Greek,
Bulgarian, Irish), so a generated person's name agrees with itself. Greece and Bulgaria also
have names in their own script, since some attendees register that way.
"""

from __future__ import annotations

#: country code -> (female given names, male given names, family names), comma-separated.
NAMES: dict[str, tuple[str, str, str]] = {
    "AT": (
        "Anna, Sophie, Katharina, Magdalena, Theresa, Elisabeth, Verena, Lisa, Barbara",
        "Florian, Lukas, Stefan, Michael, Markus, Christoph, Wolfgang, Dominik, Günther",
        "Gruber, Huber, Bauer, Wagner, Pichler, Steiner, Moser, Mayer, Hofer, Leitner, Berger, Fuchs, Eder, Schmid, Winkler, Weiß, Pöll",
    ),
    "BE": (
        "Marie, Sophie, Camille, Julie, Charlotte, Lotte, Anke, Ine, Nathalie, Els, Sarah, Laura, Fatima, Amina, Hanne, Céline, Émilie, Inès, Griet, Nele",
        "Thomas, Nicolas, Pieter, Jan, Wouter, Koen, Olivier, Maxime, Mehdi, Youssef, Arnaud, Bart, Geert, Frédéric, Jérôme, Karim, Joris, Stijn",
        "Peeters, Janssens, Maes, Jacobs, Willems, Claes, Goossens, Wouters, De Smet, Dubois, Lambert, Dupont, Leclercq, Lemaire, Vandenberghe, Van den Broeck, Mertens, De Clercq, El Amrani, Vermeulen, Renard, Hermans, Desmet, Bouzid, Van Damme, Lejeune",
    ),
    "BG": (
        "Maria, Ivana, Elena, Desislava, Gergana, Tsvetelina, Radostina, Nikol, Petya, Yordanka",
        "Georgi, Ivan, Dimitar, Nikolay, Hristo, Stoyan, Petar, Todor, Kaloyan, Martin",
        "Ivanov/Ivanova, Georgiev/Georgieva, Dimitrov/Dimitrova, Petrov/Petrova, Nikolov/Nikolova, Hristov/Hristova, Stoyanov/Stoyanova, Todorov/Todorova, Kolev/Koleva, Angelov/Angelova",
    ),
    "CY": (
        "Eleni, Maria, Christina, Andri, Despina, Stella, Marina, Georgia",
        "Andreas, Christos, Marios, Panayiotis, Kyriakos, Nicos, Stelios, Michalis",
        "Christodoulou, Charalambous, Georgiou, Constantinou, Ioannou, Loizou, Kyriakou, Panayiotou, Savva, Andreou",
    ),
    "CZ": (
        "Jana, Tereza, Lucie, Petra, Eva, Kateřina, Markéta, Zuzana, Veronika",
        "Jan, Petr, Tomáš, Jakub, Martin, Jiří, Ondřej, Lukáš, Vojtěch",
        "Novák/Nováková, Svoboda/Svobodová, Dvořák/Dvořáková, Černý/Černá, Procházka/Procházková, Kučera/Kučerová, Veselý/Veselá, Horák/Horáková, Němec/Němcová, Pokorný/Pokorná, Růžička/Růžičková",
    ),
    "DE": (
        "Anna, Lena, Katharina, Julia, Sabine, Claudia, Jana, Miriam, Birgit, Ayşe, Franziska, Johanna, Ute, Leonie, Jördis",
        "Lukas, Jonas, Felix, Tobias, Stefan, Andreas, Matthias, Jürgen, Klaus, Sebastian, Mehmet, Jörg, Maximilian, Björn, Till",
        "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Krüger, Yılmaz, Böhm, Groß",
    ),
    "DK": (
        "Mette, Camilla, Louise, Sofie, Ida, Line, Maja, Freja, Signe",
        "Mads, Rasmus, Søren, Anders, Jesper, Mikkel, Frederik, Jørgen, Asger",
        "Nielsen, Jensen, Hansen, Pedersen, Andersen, Christensen, Larsen, Sørensen, Rasmussen, Jørgensen, Ørsted, Møller, Kjær, Madsen",
    ),
    "EE": (
        "Kadri, Liis, Triin, Kristiina, Maarja, Pille, Kärt",
        "Andres, Jaan, Tõnu, Mart, Priit, Rein, Märt",
        "Tamm, Saar, Sepp, Mägi, Kask, Kukk, Rebane, Ilves, Pärn, Kuusk, Lepik, Õunapuu",
    ),
    "ES": (
        "María, Lucía, Paula, Laura, Marta, Carmen, Elena, Ana, Cristina, Nuria, Montserrat, Ainhoa, Begoña, María José, Pilar",
        "Javier, Alejandro, David, Daniel, Pablo, Sergio, Jorge, Jordi, Iñaki, Álvaro, Manuel, Rubén, José Luis, Xavier, Andrés",
        "García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Navarro, Torres, Domínguez, Puig, Etxeberria, Castaño",
    ),
    "FI": (
        "Aino, Anna, Helmi, Johanna, Laura, Riikka, Sanna, Päivi, Elina",
        "Juha, Mikko, Jukka, Antti, Timo, Ville, Jussi, Matti, Juho",
        "Korhonen, Virtanen, Mäkinen, Nieminen, Mäkelä, Hämäläinen, Laine, Heikkinen, Koskinen, Järvinen, Lehtonen, Räsänen",
    ),
    "FR": (
        "Camille, Léa, Manon, Chloé, Inès, Sarah, Claire, Élodie, Hélène, Aurélie, Nadia, Anaïs, Mathilde, Sandrine, Véronique, Océane, Maëlle",
        "Julien, Antoine, Mathieu, Nicolas, Hugo, Théo, Sébastien, Jérôme, François, Benoît, Karim, Rachid, Olivier, Loïc, Stéphane, Grégoire, Amadou",
        "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent, Lefèvre, Michel, Garcia, Fournier, Girard, Bonnet, Mercier, Benali, Rousseau, Faure, Chevalier, Lefebvre, Diallo, Nguyen",
    ),
    "GR": (
        "Maria, Eleni, Katerina, Sofia, Dimitra, Georgia, Anna, Ioanna, Vasiliki, Konstantina",
        "Georgios, Dimitrios, Konstantinos, Ioannis, Nikolaos, Panagiotis, Christos, Vasileios, Athanasios, Michail",
        "Papadopoulos/Papadopoulou, Georgiou, Nikolaou, Oikonomou, Karagiannis/Karagianni, Vlachos/Vlachou, Papageorgiou, Dimitriou, Konstantinidis/Konstantinidou, Makris/Makri",
    ),
    "HR": (
        "Ana, Ivana, Marija, Petra, Maja, Katarina, Lucija, Nikolina",
        "Ivan, Marko, Luka, Josip, Tomislav, Ante, Mateo, Dario",
        "Horvat, Kovačević, Babić, Marić, Jurić, Novak, Kovačić, Knežević, Vuković, Šimić, Petrović, Matić, Tomić, Pavlović, Božić",
    ),
    "HU": (
        "Anna, Eszter, Katalin, Zsófia, Réka, Judit, Ágnes, Krisztina, Dóra",
        "László, István, Gábor, Zoltán, Péter, Bence, Ádám, Tamás, Balázs",
        "Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Kiss, Molnár, Németh, Farkas, Balogh, Papp, Takács, Juhász, Lakatos, Szűcs",
    ),
    "IE": (
        "Aoife, Siobhán, Niamh, Saoirse, Clodagh, Gráinne, Róisín, Sinéad, Ciara, Orla",
        "Seán, Ciarán, Pádraig, Conor, Eoin, Darragh, Cathal, Oisín, Fionn, Declan",
        "Murphy, Kelly, O'Sullivan, Walsh, O'Brien, Byrne, Ryan, O'Connor, Ó Súilleabháin/Ní Shúilleabháin, Mac Carthaigh/Nic Carthaigh, Ó Briain/Ní Bhriain, Doyle, Gallagher, Kennedy, Lynch",
    ),
    "IT": (
        "Giulia, Francesca, Chiara, Sara, Martina, Valentina, Alessandra, Elena, Federica, Silvia, Paola, Roberta, Ilaria, Benedetta",
        "Marco, Luca, Alessandro, Giuseppe, Francesco, Matteo, Andrea, Lorenzo, Davide, Stefano, Riccardo, Niccolò, Giovanni, Pietro",
        "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri, Fontana, Santoro, D'Angelo",
    ),
    "LT": (
        "Rūta, Eglė, Ieva, Aistė, Gintarė, Justina, Jurgita, Dalia",
        "Tomas, Mantas, Lukas, Darius, Jonas, Mindaugas, Paulius, Vytautas",
        "Kazlauskas/Kazlauskienė, Jankauskas/Jankauskienė, Petrauskas/Petrauskienė, Stankevičius/Stankevičienė, Vasiliauskas/Vasiliauskienė, Žukauskas/Žukauskienė, Butkus/Butkienė, Paulauskas/Paulauskienė",
    ),
    "LU": (
        "Anne, Claire, Sandra, Nathalie, Carole, Michèle, Joëlle",
        "Luc, Marc, Jean, Paul, Gilles, Yves, Tom, Pit",
        "Schmit, Muller, Weber, Wagner, Hoffmann, Thill, Reuter, Kieffer, Schroeder, Hansen, Kremer, Feller",
    ),
    "LV": (
        "Anna, Ilze, Inese, Kristīne, Līga, Dace, Santa, Laura",
        "Jānis, Andris, Mārtiņš, Edgars, Kārlis, Artūrs, Raivis, Uldis",
        "Bērziņš/Bērziņa, Kalniņš/Kalniņa, Ozoliņš/Ozoliņa, Jansons/Jansone, Liepiņš/Liepiņa, Krūmiņš/Krūmiņa, Balodis/Balode, Zariņš/Zariņa",
    ),
    "MT": (
        "Maria, Rebecca, Nicole, Stephanie, Marija, Rachel, Claire",
        "Joseph, Matthew, Luke, Daniel, Karl, Jean Paul, Mark",
        "Borg, Camilleri, Vella, Farrugia, Zammit, Galea, Micallef, Grech, Attard, Spiteri, Azzopardi, Xuereb",
    ),
    "NL": (
        "Emma, Sanne, Lotte, Fleur, Anouk, Eva, Femke, Ilse, Marieke, Noor, Iris, Saskia",
        "Daan, Sem, Thijs, Bram, Jeroen, Maarten, Ruben, Sander, Joost, Wouter, Niels, Gijs",
        "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, de Boer, Mulder, de Groot, Bos, Vos, Hendriks, van Leeuwen, Dekker, Brouwer, El Idrissi",
    ),
    "PL": (
        "Anna, Katarzyna, Małgorzata, Agnieszka, Magdalena, Joanna, Aleksandra, Zofia, Dorota, Ewa, Beata",
        "Piotr, Krzysztof, Tomasz, Paweł, Michał, Marcin, Łukasz, Grzegorz, Wojciech, Jakub, Bartłomiej",
        "Nowak, Kowalski/Kowalska, Wiśniewski/Wiśniewska, Wójcik, Kowalczyk, Kamiński/Kamińska, Lewandowski/Lewandowska, Zieliński/Zielińska, Szymański/Szymańska, Woźniak, Dąbrowski/Dąbrowska, Łukasiewicz, Kaczmarek, Grabowski/Grabowska, Żak",
    ),
    "PT": (
        "Ana, Beatriz, Inês, Mariana, Catarina, Sofia, Joana, Rita, Leonor, Conceição",
        "João, Pedro, Tiago, Miguel, Rui, Nuno, Gonçalo, Duarte, André, Luís",
        "Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins, Sousa, Fernandes, Gonçalves, Gomes, Lopes, Marques, Carvalho, Magalhães, Simões",
    ),
    "RO": (
        "Andreea, Ioana, Elena, Maria, Alexandra, Ana-Maria, Cristina, Mihaela, Roxana",
        "Andrei, Mihai, Alexandru, Ștefan, Ionuț, Bogdan, Radu, Cătălin, Florin",
        "Popescu, Ionescu, Popa, Stan, Dumitru, Stoica, Gheorghe, Munteanu, Constantinescu, Rădulescu, Dumitrescu, Matei, Lungu, Ciobanu, Țurcanu, Moldovan",
    ),
    "SE": (
        "Anna, Emma, Maja, Elin, Sara, Linnéa, Karin, Ingrid, Åsa",
        "Erik, Lars, Johan, Anders, Oskar, Björn, Magnus, Per, Måns",
        "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, Svensson, Gustafsson, Lindqvist, Åberg, Öberg, Ström, Sjöberg",
    ),
    "SI": (
        "Maja, Nina, Eva, Mojca, Tjaša, Špela, Urška, Petra",
        "Luka, Jan, Matej, Žiga, Blaž, Rok, Gregor, Primož",
        "Novak, Horvat, Kovačič, Krajnc, Zupančič, Potočnik, Kovač, Mlakar, Kos, Vidmar, Golob, Turk",
    ),
    "SK": (
        "Zuzana, Mária, Katarína, Lucia, Andrea, Simona, Lenka",
        "Peter, Martin, Michal, Juraj, Marek, Tomáš, Ľubomír, Matej",
        "Horváth/Horváthová, Kováč/Kováčová, Varga/Vargová, Tóth/Tóthová, Baláž/Balážová, Molnár/Molnárová, Šimko/Šimková, Kollár/Kollárová, Lukáč/Lukáčová",
    ),
}

#: Names in their own script, for the attendees of these countries who register that way.
NATIVE_NAMES: dict[str, tuple[str, str, str]] = {
    "GR": (
        "Μαρία, Ελένη, Κατερίνα, Σοφία, Δήμητρα, Γεωργία, Άννα, Ιωάννα, Βασιλική, Κωνσταντίνα",
        "Γεώργιος, Δημήτριος, Κωνσταντίνος, Ιωάννης, Νικόλαος, Παναγιώτης, Χρήστος, Βασίλειος, Αθανάσιος, Μιχαήλ",
        "Παπαδόπουλος/Παπαδοπούλου, Γεωργίου, Νικολάου, Οικονόμου, Καραγιάννης/Καραγιάννη, Βλάχος/Βλάχου, Παπαγεωργίου, Δημητρίου, Κωνσταντινίδης/Κωνσταντινίδου, Μακρής/Μακρή",
    ),
    "BG": (
        "Мария, Ивана, Елена, Десислава, Гергана, Цветелина, Радостина, Никол, Петя, Йорданка",
        "Георги, Иван, Димитър, Николай, Христо, Стоян, Петър, Тодор, Калоян, Мартин",
        "Иванов/Иванова, Георгиев/Георгиева, Димитров/Димитрова, Петров/Петрова, Николов/Николова, Христов/Христова, Стоянов/Стоянова, Тодоров/Тодорова, Колев/Колева, Ангелов/Ангелова",
    ),
}

#: Countries where people commonly carry two family names (both parents').
TWO_FAMILY_NAMES = ("ES", "PT")


def split(names: str) -> list[str]:
    """The names of one comma-separated list, in order."""
    return [name.strip() for name in names.split(",") if name.strip()]


def family_name(entry: str, female: bool) -> str:
    """The form of a family name that agrees with the person ("Dvořák/Dvořáková")."""
    masculine, _, feminine = entry.partition("/")
    return feminine if female and feminine else masculine
